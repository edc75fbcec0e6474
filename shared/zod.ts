import { en } from 'zod/locales';
import * as z from 'zod/mini';

// zod/mini keeps the bundle ~16 KiB instead of ~450 KiB (cold require ~4 ms instead of ~29 ms);
// the English locale gives the precise messages our 4xx responses carry. Import z from here.
z.config(en());

export { z };
