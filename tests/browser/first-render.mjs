// First render of the main public pages on a throttled phone profile, measured in Debian's
// Chromium with a CPU slowed four times: Lighthouse's "Slow 4G" network (150 ms round trip,
// 1.6 Mbit/s down, 750 kbit/s up), or with `slow3g` WebPageTest's "3G Slow" profile (400 ms
// round trip, 400 kbit/s each way; Chrome's DevTools preset of that name adds a 5× latency
// factor, 2 s a round trip, under which no page can paint before 4 s: connection and request
// are two round trips). Each page first with an empty cache, then again with the cache the first
// visit left (`warm`). Prints first contentful paint and the bytes transferred. Not a test
// (timings are never asserted): run it by hand, as BENCHMARKS.md says, against a running demo.
//   node first-render.mjs http://127.0.0.1:8080 [slow3g]
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:8080';
const slow3g = process.argv[3] === 'slow3g';
const network = slow3g
  ? { latency: 400, downloadThroughput: 50_000, uploadThroughput: 50_000 }
  : { latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const paths = ['/', '/c/yudong', '/c/yudong/notices', '/c/jinyang/projects', '/calls'];
const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 360, height: 780 } });
const probe = await context.newPage();
await probe.goto(base + '/c/jinyang/projects');
paths.push(await probe.locator('main a[href^="/p/"]').first().getAttribute('href'));
await probe.goto(base + '/c/jinyang/notices');
paths.push(await probe.locator('main a[href^="/r/"]').first().getAttribute('href'));
await probe.close();
console.log(slow3g ? '3G Slow (400 ms, 400 kbit/s), CPU ×4' : 'Slow 4G, CPU ×4');
console.log('page'.padEnd(52), 'FCP ms', ' KB', ' warm FCP ms', ' KB');
for (const path of paths) {
  const line = [];
  // A context of its own per page: the first visit's cache is empty, the second's is what the
  // first left.
  const own = await browser.newContext({ locale: 'zh-CN', viewport: { width: 360, height: 780 } });
  for (const visit of ['first', 'warm']) {
    const [fcp, bytes] = await visitOnce(own, path);
    line.push(String(Math.round(fcp)).padStart(visit === 'first' ? 6 : 12), (bytes / 1024).toFixed(1).padStart(5));
  }
  await own.close();
  console.log(path.slice(0, 52).padEnd(52), ...line);
}
await browser.close();

async function visitOnce(ctx, path) {
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, ...network });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  let bytes = 0;
  cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
  await page.goto(base + path, { waitUntil: 'load' });
  // The paint entry can come after `load`: wait for it (buffered), at most five seconds.
  const fcp = await page.evaluate(() => new Promise((resolve) => {
    new PerformanceObserver((list) => {
      const e = list.getEntriesByName('first-contentful-paint')[0];
      if (e) resolve(e.startTime);
    }).observe({ type: 'paint', buffered: true });
    setTimeout(() => resolve(NaN), 5000);
  }));
  await page.close();
  return [fcp, bytes];
}
