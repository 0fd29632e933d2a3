// Journeys through the demo in Debian's headless Chromium, driven by playwright-core.
// Run by scripts/test after the Rust suites: GONGZHI_BIN points at the built binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';

const BIN = process.env.GONGZHI_BIN ?? '../../target/debug/gongzhi';
const SHOTS = process.env.GONGZHI_SCREENSHOTS ?? '../../target/screenshots';
mkdirSync(SHOTS, { recursive: true });

let server, browser, base;

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

async function waitReady(url) {
  for (let i = 0; i < 600; i++) {
    try { const r = await fetch(url + '/healthz'); if (r.status === 200) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('demo did not become ready');
}

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gongzhi-browser-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(BIN, ['--database', `sqlite://${dir}/demo.db`, 'demo', '--addr', `127.0.0.1:${port}`], { stdio: 'ignore' });
  await waitReady(base);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
});

test('a visitor sees the public record on a 320 px phone, in large text', async () => {
  const page = await (await browser.newContext({ locale: 'zh-CN', viewport: { width: 320, height: 640 } })).newPage();
  await page.goto(base + '/');
  assert.equal(await page.locator('h1').innerText(), '社区及其公开记录');
  assert.match(await page.locator('body').innerText(), /晋阳社区[\s\S]*#\d+ [0-9a-f]{16}/);
  // Nothing overflows sideways at 320 px.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px`);
  await page.screenshot({ path: `${SHOTS}/public-320.png`, fullPage: true });
  await page.getByRole('button', { name: '大字模式' }).click();
  assert.equal(await page.locator('body').getAttribute('class'), 'large');
  await page.screenshot({ path: `${SHOTS}/public-320-large.png`, fullPage: true });
  // A convention: current text, history, and what the last revision changed.
  await page.goto(base + '/c/jinyang');
  await page.getByRole('link', { name: '北苑院落公约' }).click();
  const pact = await page.locator('main').innerText();
  assert.match(pact, /现行第 2 版/);
  assert.match(pact, /第 1 版，[\s\S]*北苑小区议〔2026〕1号/);
  assert.match(await page.locator('.diff .added').innerText(), /禁止进楼充电/);
  assert.match(await page.locator('.notice-sheet').innerText(), /公约\n第一条/, 'the text keeps its lines');
  await page.screenshot({ path: `${SHOTS}/convention-diff.png`, fullPage: true });
  await page.goto(base + '/');
  await page.getByRole('button', { name: 'English' }).click();
  assert.equal(await page.locator('h1').innerText(), 'Communities and their public record');
  await page.close();
});

test('community staff sign in, see their home page and register a resident', async () => {
  const page = await (await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } })).newPage();
  await page.goto(base + '/login');
  await page.getByLabel('用户名或手机号').fill('jinyang-staff');
  await page.getByLabel('密码').fill('gongzhi-demo-2026');
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(base + '/home');
  const home = await page.locator('main').innerText();
  assert.match(home, /社区工作人员/);
  assert.match(home, /晋阳社区/);
  await page.screenshot({ path: `${SHOTS}/staff-home.png`, fullPage: true });
  await page.getByRole('link', { name: '居民' }).click();
  await page.getByLabel('姓名').fill('吴新来');
  await page.getByLabel('电话').fill('13800000099');
  await page.getByRole('button', { name: '保存' }).click();
  assert.match(await page.locator('table').innerText(), /吴新来/);
  // A wrong phone number gets a message a community worker can act on.
  await page.getByLabel('姓名').fill('郑错号');
  await page.getByLabel('电话').fill('12345');
  await page.getByRole('button', { name: '保存' }).click();
  assert.match(await page.getByRole('alert').innerText(), /不是有效的电话号码/);
  assert.equal(await page.getByLabel('姓名').inputValue(), '郑错号', 'what was typed is kept');
  await page.screenshot({ path: `${SHOTS}/staff-residents.png`, fullPage: true });
  // A spreadsheet with a broken row: nothing is imported and the row to fix is named.
  const broken = '姓名,电话,院落,楼栋,单元,户\n冯一,13800000101,beiyuan,3栋,1,301\n陈二,138,beiyuan,3栋,1,302\n';
  await page.getByLabel('文件').setInputFiles({ name: 'roster.csv', mimeType: 'text/csv', buffer: Buffer.from(broken) });
  await page.getByRole('button', { name: '导入' }).click();
  const problems = await page.locator('ul.error').innerText();
  assert.match(problems, /第 3 行：/);
  assert.doesNotMatch(await page.locator('table').innerText(), /冯一/);
  await page.screenshot({ path: `${SHOTS}/staff-import-errors.png`, fullPage: true });
  await page.getByLabel('文件').setInputFiles({ name: 'roster.csv', mimeType: 'text/csv', buffer: Buffer.from(broken.replace(',138,', ',13800000102,')) });
  await page.getByRole('button', { name: '导入' }).click();
  assert.match(await page.getByRole('status').innerText(), /已导入 2 位居民/);
  assert.match(await page.locator('table').innerText(), /冯一[\s\S]*陈二/);
  await page.close();
});

test('a resident signs in with a phone number', async () => {
  const page = await (await browser.newContext({ locale: 'zh-CN', viewport: { width: 360, height: 740 } })).newPage();
  await page.goto(base + '/login');
  await page.getByLabel('用户名或手机号').fill('138 0000 0001');
  await page.getByLabel('密码').fill('gongzhi-demo-2026');
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(base + '/home');
  assert.match(await page.locator('main').innerText(), /居民[\s\S]*北苑小区/);
  // The notice board: the renovation project is open for objections; the resident objects.
  await page.goto(base + '/c/jinyang/notices');
  await page.screenshot({ path: `${SHOTS}/notice-board.png`, fullPage: true });
  // The council behind the notices: members in office, its meetings, a meeting's attendance.
  await page.getByRole('link', { name: '晋阳社区议事会' }).first().click();
  assert.match(await page.locator('main').innerText(), /现任成员[\s\S]*召集人/);
  await page.getByRole('link', { name: '王建华' }).click();
  assert.match(await page.locator('main').innerText(), /表决记录[\s\S]*同意/);
  await page.goBack();
  await page.getByRole('link', { name: /项目路演/ }).click();
  assert.match(await page.locator('main').innerText(), /应到 37 人，实到 37 人/);
  await page.goto(base + '/c/jinyang/notices');
  await page.locator('li.state-open a').first().click();
  assert.match(await page.locator('main').innerText(), /公示中，可提异议/);
  assert.match(await page.locator('main').innerText(), /记录链头 #\d+ [0-9a-f]{16}/);
  await page.getByLabel('您的异议是什么').fill('围墙施工期间请保留北侧通道。');
  await page.getByRole('button', { name: '提交异议' }).click();
  assert.match(await page.getByRole('status').innerText(), /已收到您的异议/);
  assert.match(await page.locator('main').innerText(), /待答复/);
  await page.screenshot({ path: `${SHOTS}/resolution-objection.png`, fullPage: true });
  // Printed for the courtyard board: only the notice, with its QR code and record head.
  assert.equal(await page.locator('.qr-code svg').count(), 1);
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('form').first().isVisible(), false, 'forms do not print');
  assert.equal(await page.locator('.notice-sheet').isVisible(), true);
  await page.screenshot({ path: `${SHOTS}/notice-print.png`, fullPage: true });
  await page.emulateMedia({ media: 'screen' });
  await page.getByRole('button', { name: '退出' }).click();
  await page.waitForURL(base + '/');
  await page.close();
});
