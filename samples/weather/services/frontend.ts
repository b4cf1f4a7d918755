// frontend: the weather web page. GET / renders the page (server-side with ?city=, so curl sees
// what a browser sees); /data/* → forecast and /advertisement/* → advertisement with the prefix
// stripped. Buttons are green in v1 and blue in v2; the page carries data-version.
import http from 'node:http';
import { get, propagate, serve, VERSION } from './lib.js';

const FORECAST_URL = process.env.FORECAST_URL ?? 'http://forecast:3002';
const ADVERTISEMENT_URL = process.env.ADVERTISEMENT_URL ?? 'http://advertisement:3003';
const COLOR = VERSION === 'v2' ? 'blue' : 'green';

function escape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface Weather {
  city: string;
  weather: string;
  temperature: number;
  version: string;
  recommendation?: { clothing: string; sport: string };
}

function page(
  city: string,
  weather: Weather | undefined,
  weatherError: string | undefined,
  ad: string,
  user: string,
): string {
  const w = weather
    ? `<div id="weather" data-forecast-version="${escape(weather.version)}">${escape(weather.city)}: ${escape(weather.weather)}, ${weather.temperature}°C</div>`
    : weatherError
      ? `<div id="weather" class="error">weather unavailable (${escape(weatherError)})</div>`
      : '<div id="weather"></div>';
  const rec = weather?.recommendation
    ? `<div id="recommendation">Wear ${escape(weather.recommendation.clothing)}; try ${escape(weather.recommendation.sport)}.</div>`
    : '';
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Weather</title>
<style>button{background:${COLOR};color:white;border:0;padding:6px 12px}</style></head>
<body data-version="${VERSION}">
<h1>Weather</h1>
<form action="/" method="get"><input name="city" value="${escape(city)}"><button type="submit" class="btn-${COLOR}">Search</button></form>
<form action="/login" method="get"><input name="user" value="${escape(user)}" placeholder="user"><button type="submit" class="btn-${COLOR}">Log in</button></form>
${w}
${rec}
<div id="ad">${ad}</div>
</body></html>`;
}

function cookieUser(req: http.IncomingMessage): string {
  const m = /(?:^|;\s*)user=([^;]*)/.exec(req.headers.cookie ?? '');
  return m ? decodeURIComponent(m[1]!) : '';
}

/** Streams an upstream response back (status, body and content type) for /data and /advertisement. */
function relay(target: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  const up = http.get(target, { headers: propagate(req), timeout: 10_000 }, (r) => {
    res.writeHead(r.statusCode ?? 502, { 'content-type': r.headers['content-type'] ?? 'text/plain' });
    r.pipe(res);
  });
  up.on('timeout', () => up.destroy(new Error('timeout')));
  up.on('error', (e) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`upstream error: ${e.message}`);
  });
}

serve('frontend', async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://frontend');
  if (url.pathname.startsWith('/data/'))
    return relay(`${FORECAST_URL}/${url.pathname.slice(6)}${url.search}`, req, res);
  if (url.pathname.startsWith('/advertisement/'))
    return relay(`${ADVERTISEMENT_URL}/${url.pathname.slice(15)}${url.search}`, req, res);
  if (url.pathname === '/login') {
    const user = url.searchParams.get('user') ?? '';
    res.writeHead(302, { location: '/', 'set-cookie': `user=${encodeURIComponent(user)}; Path=/` });
    return res.end();
  }
  if (url.pathname === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    return res.end('ok');
  }
  if (url.pathname !== '/') {
    res.writeHead(404, { 'content-type': 'text/plain' });
    return res.end('not found');
  }
  const city = url.searchParams.get('city') ?? '';
  const headers = propagate(req);
  const [forecast, ad] = await Promise.all([
    city
      ? get(`${FORECAST_URL}/weather?locate=${encodeURIComponent(city)}`, headers)
      : Promise.resolve(undefined),
    get(`${ADVERTISEMENT_URL}/ad`, headers),
  ]);
  let weather: Weather | undefined;
  let weatherError: string | undefined;
  if (forecast) {
    if (forecast.status === 200) weather = JSON.parse(forecast.body) as Weather;
    else weatherError = `status ${forecast.status}`;
  }
  const adHtml =
    ad.status === 200
      ? (() => {
          const a = JSON.parse(ad.body) as { text: string; image: string; version: string };
          return `<img src="${escape(a.image)}" alt=""> ${escape(a.text)} <span data-ad-version="${escape(a.version)}"></span>`;
        })()
      : 'advertisement unavailable';
  const html = page(city, weather, weatherError, adHtml, cookieUser(req));
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
  });
  res.end(html);
});
