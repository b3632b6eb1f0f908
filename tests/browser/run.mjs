// Browser tests in Debian's headless Chromium: sign in, filter the debtors list, open a
// debtor, switch the language, upload an import with an error and then a good one, open the
// prevention page and an invoice with findings (and check it again), an override of a blocked
// invoice and a delivery from the outbox, the action calendar's page and a debtor's late charges.
// Screenshots of each main page go to target/screenshots/.
// Usage: node run.mjs BASE_URL EMAIL PASSWORD SCREENSHOT_DIR
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [base, email, password, shots] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
const errors = [];
page.on('pageerror', (e) => errors.push(e.message));
// The wrong-password step answers 401 on purpose; any other failed load or script error counts.
page.on('console', (m) => {
  if (m.type() === 'error' && !/status of 401/.test(m.text())) errors.push(`${page.url()}: ${m.text()}`);
});
const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
let passed = 0;
async function step(name, body) {
  await body();
  passed += 1;
  console.log(`ok - ${name}`);
}

await step('sign in', async () => {
  await page.goto(`${base}/debtors`);
  assert.match(page.url(), /\/login$/);
  await shot('login');
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', 'not the password');
  await page.click('button[type=submit]');
  assert.match(await page.textContent('.error'), /E-mailul sau parola nu sunt corecte/);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForURL('**/agenda');
  assert.match(await page.textContent('h1'), /Agenda zilei/);
  await page.click('header nav a[href="/debtors"]');
  await page.waitForURL('**/debtors');
  assert.equal(await page.textContent('h1 >> nth=0').then((t) => t.startsWith('Clienți')), true);
  await shot('debtors');
});

await step('filter the debtors list', async () => {
  const all = await page.locator('#debtors tbody tr').count();
  assert.ok(all > 1, `several debtors listed (${all})`);
  await page.fill('input[name=q]', 'D00002');
  await page.click('#filters button[type=submit]');
  await page.waitForURL(/q=D00002/);
  assert.equal(await page.locator('#debtors tbody tr').count(), 1);
  await page.selectOption('select[name=bucket]', 'over_90');
  await page.fill('input[name=q]', '');
  await page.click('#filters button[type=submit]');
  await page.waitForURL(/bucket=over_90/);
  const late = await page.locator('#debtors tbody tr').count();
  assert.ok(late >= 1 && late <= all, `over 90 days: ${late} of ${all}`);
});

await step('open a debtor and an invoice', async () => {
  await page.click('#debtors tbody tr:first-child td:first-child a');
  await page.waitForURL(/\/debtors\/\d+$/);
  assert.match(await page.textContent('main'), /Persoane de contact/);
  await shot('debtor');
  await page.click('#invoices tbody tr:first-child a');
  await page.waitForURL(/\/invoices\/\d+$/);
  assert.match(await page.textContent('main'), /Scadența/);
  await shot('invoice');
});

await step('switch the language', async () => {
  await page.click('#switch-language');
  await page.waitForLoadState();
  assert.match(await page.textContent('main'), /Due date/);
  await page.goto(`${base}/debtors`);
  assert.match(await page.textContent('h1'), /^Debtors/);
  await page.click('#switch-language');
  await page.waitForLoadState();
  assert.match(await page.textContent('h1'), /^Clienți/);
});

await step('upload an import with an error, then a good one', async () => {
  const dir = join(tmpdir(), `creanta-browser-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const bad = join(dir, 'debtors.csv');
  writeFileSync(bad, 'code,name,tax_id,payment_terms_days\nB1,Ștefănescu Țesături SRL,14840784,30\nB2,Fără Termen SRL,16621241,treizeci\n');
  await page.goto(`${base}/imports`);
  await page.selectOption('select[name=kind]', 'debtors');
  await page.setInputFiles('input[name=files]', bad);
  await page.click('#import-form button[type=submit]');
  await page.waitForSelector('#import-errors');
  const row = await page.textContent('#import-errors tbody tr');
  assert.match(row, /debtors\.csv/);
  assert.match(row, /3/);
  assert.match(row, /payment_terms_days/);
  await shot('import-errors');
  writeFileSync(bad, 'code,name,tax_id,payment_terms_days\nB1,Ștefănescu Țesături SRL,14840784,30\nB2,Fără Termen SRL,16621241,45\n');
  await page.selectOption('select[name=kind]', 'debtors');
  await page.setInputFiles('input[name=files]', bad);
  await page.click('#import-form button[type=submit]');
  await page.waitForSelector('#import-result');
  assert.match(await page.textContent('#import-result'), /2 new/);
  await shot('import-done');
  await page.goto(`${base}/debtors?q=${encodeURIComponent('Țesături')}`);
  assert.equal(await page.locator('#debtors tbody tr').count(), 1);
  assert.match(await page.textContent('#debtors tbody'), /Ștefănescu Țesături SRL/);
});

await step('the prevention page and an invoice with findings', async () => {
  await page.goto(`${base}/debtors`);
  await page.click('header nav a[href="/prevention"]');
  await page.waitForURL('**/prevention');
  assert.match(await page.textContent('h1'), /^Prevenție/);
  const causes = await page.locator('#by-code tbody tr').count();
  assert.ok(causes >= 1, `open findings grouped by cause (${causes})`);
  assert.equal(await page.locator('#trend tbody tr').count(), 12);
  assert.match(await page.textContent('#totals'), /RON/);
  await shot('prevention');
  // The debtor holding the most back, then one of its invoices with an open error.
  await page.click('#by-debtor tbody tr:first-child a');
  await page.waitForURL(/\/debtors\/\d+$/);
  assert.ok(await page.locator('#requirements form#edit-requirements').count() === 1, 'managers edit requirements');
  await page.click('#requirements summary');
  await shot('debtor-requirements');
  await page.click('#invoices td.findings-count a >> nth=0');
  await page.waitForURL(/\/invoices\/\d+#findings$/);
  const open = await page.locator('#open-findings li').count();
  assert.ok(open >= 1, `open findings on the invoice (${open})`);
  assert.match(await page.textContent('#open-findings'), /Cum se corectează/);
  await page.click('#check-again button');
  await page.waitForURL(/checked=1/);
  assert.match(await page.textContent('#notice'), /verificate din nou/);
  assert.equal(await page.locator('#open-findings li').count(), open);
  await page.locator('#findings').scrollIntoViewIfNeeded();
  await shot('invoice-findings');
});

await step('a manager lets a blocked invoice go, then delivers from the outbox', async () => {
  // Still on the invoice with an open error: it is held, and a manager may override.
  const invoiceUrl = new URL(page.url()).pathname;
  assert.equal(await page.locator('#override').count(), 1, 'the override form is offered');
  await page.fill('#override textarea[name=reason]', 'Clientul a confirmat că acceptă factura așa; CMR-ul urmează.');
  await page.click('#override button[type=submit]');
  await page.waitForURL(/overridden=1/);
  assert.match(await page.textContent('#override-record'), /CMR-ul urmează/);
  await page.click('header nav a[href="/outbox"]');
  await page.waitForURL('**/outbox');
  assert.match(await page.textContent('h1'), /^Mesaje/);
  await page.click('#deliver-now button');
  await page.waitForSelector('#delivery-report');
  assert.equal(await page.textContent('#queued-now'), '1', 'the overridden invoice went');
  assert.ok(await page.locator(`#held-overridden a[href="${invoiceUrl}"]`).count() === 1);
  assert.equal(await page.locator('#messages tbody tr[data-status=sent]').count(), 1);
  await shot('outbox');
  await page.click('#messages tbody tr:first-child td:nth-child(4) a');
  await page.waitForURL(/\/outbox\/\d+$/);
  assert.match(await page.textContent('#to'), /@/);
  assert.match(await page.textContent('#attachments'), /\.pdf/);
  assert.match(await page.textContent('#status'), /trimis/);
  await shot('outbox-message');
  // Delivering again sends nothing new.
  await page.click('header nav a[href="/outbox"]');
  await page.click('#deliver-now button');
  await page.waitForSelector('#delivery-report');
  assert.equal(await page.textContent('#queued-now'), '0');
});

await step("the action calendar's policies and an overdue debtor's late charges", async () => {
  await page.click('header nav a[href="/policies"]');
  await page.waitForURL('**/policies');
  assert.match(await page.textContent('h1'), /Calendarul de acțiuni/);
  assert.equal(await page.locator('#policy-standard tbody tr').count(), 6, 'the six standard steps');
  assert.equal(await page.locator('#policy-editor textarea').count(), 1, 'a manager may edit them');
  await shot('policies');
  await page.goto(`${base}/debtors?bucket=over_90`);
  await page.click('#debtors tbody tr:first-child td:first-child a');
  await page.waitForURL(/\/debtors\/\d+$/);
  await page.locator('#charges').scrollIntoViewIfNeeded();
  assert.ok(await page.locator('#charge-list tbody tr').count() >= 1, 'an overdue debtor owes late charges');
  assert.match(await page.textContent('#charges'), /\d,\d\d (RON|EUR)/);
  assert.equal(await page.locator('#actions').count(), 1);
  await shot('debtor-charges');
});

await step('a manager edits a calendar step by step in a form', async () => {
  await page.goto(`${base}/policies`);
  await page.click('#edit-standard');
  await page.waitForURL('**/policies/standard/edit');
  assert.equal(await page.locator('#step-rows tbody tr').count(), 8, 'six steps and two blank rows');
  await page.fill('input[name="offset-2"]', '4');
  await page.fill('input[name="min-2"]', '50,00 RON');
  await shot('policy-edit');
  await page.click('#save-policy');
  await page.waitForURL('**/policies?saved=1');
  const call = page.locator('#policy-standard tbody tr', { hasText: 'call' });
  assert.match(await call.textContent(), /4\s*call/);
  assert.match(await call.textContent(), /50,00 RON/);
});

await step('a message template edited with a live preview on a real debtor', async () => {
  await page.goto(`${base}/policies`);
  await page.click('#templates-link');
  await page.waitForURL('**/templates');
  await page.click('#template-firm_reminder-ro td:first-child a');
  await page.waitForURL('**/templates/firm_reminder/ro');
  assert.match(await page.textContent('#preview-who'), /^Pentru /, 'previewed for a real debtor');
  assert.match(await page.textContent('#preview-subject'), /Al doilea aviz/);
  // A misspelt variable: the preview says where, as it is typed (htmx), without a reload.
  await page.fill('#body_text', 'Bună ziua,\n{{ debtor.nmae }}');
  await page.locator('#preview-error').waitFor();
  assert.match(await page.textContent('#preview-error'), /body_text: line 2/);
  await page.fill('#body_text', 'Către {{ debtor.name }}: {{ payment_reference }}');
  await page.locator('#preview-text').waitFor();
  assert.match(await page.textContent('#preview-text'), /^Către .+: .+/);
  await shot('template-editor');
  await page.click('#save-template');
  await page.waitForURL('**/templates/firm_reminder/ro?saved=1');
  assert.match(await page.textContent('#notice'), /Șablonul a fost salvat/);
  await page.click('#restore-template');
  await page.waitForURL('**/templates/firm_reminder/ro?restored=1');
  assert.match(await page.inputValue('#subject'), /Al doilea aviz: sume restante/);
});

await step("the day's agenda after a run, and a call closed from it", async () => {
  // The run of the demo's "today" (last, so that the steps above see the data as loaded).
  await page.goto(`${base}/agenda`);
  const csrf = await page.locator('input[name="csrf"]').first().inputValue();
  const run = await page.request.post(`${base}/api/v1/calendar/runs`, {
    data: { date: '2026-12-01' },
    headers: { 'x-csrf-token': csrf },
  });
  assert.equal(run.status(), 200, await run.text());
  await page.goto(`${base}/agenda?who=all`);
  const rows = page.locator('#agenda tbody tr');
  assert.ok(await rows.count() >= 1, 'the run left tasks for people');
  await shot('agenda');
  const task = rows.filter({ has: page.locator('input[name="outcome"]') }).first();
  const id = await task.getAttribute('id');
  await task.locator('input[name="outcome"]').fill('Am vorbit cu contabilul: plătește vineri');
  await task.locator('button[type="submit"]').click();
  await page.waitForURL('**/agenda?done=1');
  assert.match(await page.textContent('#notice'), /sarcina a fost închisă/);
  await page.goto(`${base}/agenda?who=all`);
  assert.equal(await page.locator(`#${id}`).count(), 0, 'the closed task left the agenda');
});

assert.deepEqual(errors, [], 'no script errors in the pages');
await browser.close();
console.log(`${passed} browser steps passed; screenshots in ${shots}`);
