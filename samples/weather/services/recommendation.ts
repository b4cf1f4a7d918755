// recommendation: GET /activity?weather=<kind> → clothing and sport suggestions.
import { sendJson, serve, VERSION } from './lib.js';

const ACTIVITIES: Record<string, { clothing: string; sport: string }> = {
  sunny: { clothing: 'a t-shirt and sunglasses', sport: 'cycling' },
  cloudy: { clothing: 'a light jacket', sport: 'running' },
  rainy: { clothing: 'a raincoat and boots', sport: 'indoor climbing' },
  snowy: { clothing: 'a warm coat and gloves', sport: 'skiing' },
};

serve('recommendation', (req, res) => {
  const url = new URL(req.url ?? '/', 'http://recommendation');
  if (url.pathname === '/activity') {
    const kind = url.searchParams.get('weather') ?? 'sunny';
    const a = ACTIVITIES[kind] ?? ACTIVITIES.cloudy!;
    return sendJson(res, 200, { weather: kind, ...a, version: VERSION });
  }
  if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
  sendJson(res, 404, { error: `no such path ${url.pathname}` });
});
