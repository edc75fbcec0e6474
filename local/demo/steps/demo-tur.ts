/** A fresh 48-character Token Unique Reference for a demo token, so no two tokens share one. */
export function demoTur(tokenId: string): string {
  return `DSHRMC0000259339${tokenId.padStart(32, '0')}`.slice(0, 48);
}
