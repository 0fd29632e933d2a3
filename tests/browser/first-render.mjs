// First render of the main public pages on a throttled phone profile, measured in Debian's
// Chromium: Lighthouse's "Slow 4G" network (150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up)
// and a CPU slowed four times, a fresh cache for every page. Prints first contentful paint and
// the bytes transferred. Not a test (timings are never asserted): run it by hand, as
// BENCHMARKS.md says, against a running demo.
//   node first-render.mjs http://127.0.0.1:8080
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:8080';
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const paths = ['/', '/c/yudong', '/c/yudong/notices', '/c/jinyang/projects', '/calls'];
const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 360, height: 780 } });
const probe = await context.newPage();
await probe.goto(base + '/c/jinyang/projects');
paths.push(await probe.locator('main a[href^="/p/"]').first().getAttribute('href'));
await probe.goto(base + '/c/jinyang/notices');
paths.push(await probe.locator('main a[href^="/r/"]').first().getAttribute('href'));
await probe.close();
console.log('page'.padEnd(52), 'FCP ms', ' KB transferred');
for (const path of paths) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8,
  });
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
  console.log(path.slice(0, 52).padEnd(52), String(Math.round(fcp)).padStart(6), (bytes / 1024).toFixed(1).padStart(15));
  await page.close();
}
await browser.close();
