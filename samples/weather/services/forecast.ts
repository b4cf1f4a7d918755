// forecast: GET /weather?locate=<city> → static weather. v2 also asks recommendation and adds
// its answer as `recommendation` (which is how scenarios tell v1 from v2).
import { get, propagate, sendJson, serve, VERSION } from './lib.js';

const RECOMMENDATION_URL = process.env.RECOMMENDATION_URL ?? 'http://recommendation:3005';
const KINDS = ['sunny', 'cloudy', 'rainy', 'snowy'];

function weatherFor(city: string): { city: string; weather: string; temperature: number } {
  let h = 0;
  for (const c of city.toLowerCase()) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return { city, weather: KINDS[h % KINDS.length]!, temperature: (h % 35) - 5 };
}

serve('forecast', async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://forecast');
  if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
  if (url.pathname !== '/weather') return sendJson(res, 404, { error: `no such path ${url.pathname}` });
  const w = weatherFor(url.searchParams.get('locate') ?? 'beijing');
  if (VERSION !== 'v2') return sendJson(res, 200, { ...w, version: VERSION });
  const r = await get(`${RECOMMENDATION_URL}/activity?weather=${w.weather}`, propagate(req));
  if (r.status !== 200)
    return sendJson(res, r.status || 503, { error: 'recommendation failed', status: r.status });
  sendJson(res, 200, { ...w, version: VERSION, recommendation: JSON.parse(r.body) as unknown });
});
