/**
 * Hash routes (`#/tokens/123`): the page is one document, reloads and links work without the server
 * knowing the routes, and back/forward move between screens. Only ids go in a route, never a PAN.
 */
export type Route =
  | { name: 'search' }
  | { name: 'card'; cardId: string }
  | { name: 'token'; tokenId: string }
  | { name: 'device-lost'; cardId?: string; deviceId?: string }
  | { name: 'decisions' }
  | { name: 'system' };

const seg = (s: string | undefined) => (s ? decodeURIComponent(s) : undefined);

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  const q = new URLSearchParams(query);
  switch (parts[0]) {
    case 'cards':
      return parts[1] ? { name: 'card', cardId: seg(parts[1]) ?? '' } : { name: 'search' };
    case 'tokens':
      return parts[1] ? { name: 'token', tokenId: seg(parts[1]) ?? '' } : { name: 'search' };
    case 'device-lost':
      return { name: 'device-lost', cardId: q.get('cardId') ?? undefined, deviceId: q.get('deviceId') ?? undefined };
    case 'decisions':
      return { name: 'decisions' };
    case 'system':
      return { name: 'system' };
    default:
      return { name: 'search' };
  }
}

export function hrefOf(route: Route): string {
  switch (route.name) {
    case 'card':
      return `#/cards/${encodeURIComponent(route.cardId)}`;
    case 'token':
      return `#/tokens/${encodeURIComponent(route.tokenId)}`;
    case 'device-lost': {
      const q = new URLSearchParams();
      if (route.cardId) q.set('cardId', route.cardId);
      if (route.deviceId) q.set('deviceId', route.deviceId);
      return `#/device-lost${q.size ? `?${q}` : ''}`;
    }
    default:
      return `#/${route.name}`;
  }
}
