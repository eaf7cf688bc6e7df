/**
 * The steps several browser suites take through the same pages: an advisor
 * signing in to the console (development sign-in), a supervisor to the dashboard,
 * a worker starting a chat in the full-page chat. Kept apart from browser.ts (the harness: contexts, axe,
 * screenshots), because these are the product's own screens and change with them.
 */
import type { Page } from 'playwright-core';

/** Signs an advisor in at /advisor/; `available` also switches them on and waits for the server to say so. */
export async function signInAdvisor(p: Page, base: string, name: string, sub: string, available: boolean): Promise<void> {
  await p.goto(`${base}/advisor/`);
  await p.getByLabel('Nome').fill(name);
  await p.getByLabel('Codice utente').fill(sub);
  await p.getByRole('button', { name: 'Entra' }).click();
  await p.getByRole('heading', { name: 'Chat assegnate' }).waitFor();
  if (!available) return;
  await p.getByLabel('Disponibile').check();
  await p.locator('#load', { hasText: /^Chat aperte: \d+ su \d+$/ }).waitFor();
}

/** Signs an office operator in at /office/ for a sede (development sign-in). */
export async function signInOffice(p: Page, base: string, sede: string, name: string, code: string): Promise<void> {
  await p.goto(`${base}/office/`);
  await p.getByLabel('Sede territoriale').selectOption(sede);
  await p.getByLabel('Nome').fill(name);
  await p.getByLabel('Codice operatore').fill(code);
  await p.getByRole('button', { name: 'Entra' }).click();
}

/** Signs a supervisor in at /dashboard/ (development sign-in) and waits for the provinces table's first row. */
export async function signInSupervisor(p: Page, base: string, name = 'Sara Bianchi'): Promise<void> {
  await p.goto(`${base}/dashboard/`);
  await p.getByLabel('Profilo').selectOption('supervisor');
  await p.getByLabel('Nome').fill(name);
  await p.getByRole('button', { name: 'Entra' }).click();
  await p.locator('#prov-body tr').first().waitFor();
}

/** A worker (the development sign-in's Mario Rossi) asks for a CIGO chat in /chat/ from a province. */
export async function workerAsksForChat(w: Page, base: string, province = 'MI'): Promise<void> {
  await w.goto(`${base}/chat/`);
  await w.getByLabel('Provincia').selectOption(province);
  await w.getByRole('button', { name: 'Entra' }).click();
  await w.getByLabel('CIGO – Cassa integrazione ordinaria').check();
  await w.getByRole('button', { name: 'Avvia la chat' }).click();
}

/** The card of Mario Rossi's chat in an advisor's console. */
export const marioCard = (p: Page) => p.locator('article.chat-card', { has: p.getByRole('heading', { name: 'Mario Rossi' }) });
