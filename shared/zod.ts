import { en } from 'zod/locales';
import { config } from 'zod/mini';

// zod/mini keeps the bundle small (classic zod added ~450 KiB and ~29 ms to each cold start); the
// English locale gives the precise messages our 4xx responses carry. `export *` (not a namespace
// object) keeps esbuild's tree shaking working. Import as `import * as z from '../zod'`.
config(en());

export * from 'zod/mini';
