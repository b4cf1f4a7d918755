// advertisement: GET /ad → an ad. v2 is a healthy new release; v3 fails with 500 about half the time.
import { sendJson, serve, VERSION } from './lib.js';

const ADS = [
  { name: 'umbrella', image: '/images/umbrella.png', text: 'Stay dry with the Weft umbrella' },
  { name: 'sunglasses', image: '/images/sunglasses.png', text: 'Sunglasses for every forecast' },
  { name: 'scarf', image: '/images/scarf.png', text: 'Warm scarves, cold days' },
];
let next = 0;

serve('advertisement', (req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/ad') {
    if (VERSION === 'v3' && Math.random() < 0.5)
      return sendJson(res, 500, { error: 'advertisement v3 failed' });
    const ad = ADS[next++ % ADS.length]!;
    return sendJson(res, 200, { ...ad, version: VERSION });
  }
  if (path === '/health') return sendJson(res, 200, { status: 'ok' });
  sendJson(res, 404, { error: `no such path ${path}` });
});
