// Drives the VS Code workbench in Chromium the way a user does: command palette, quick open, quick picks, hovers,
// the status bar and the Problems panel. Selectors are VS Code's own DOM classes (stable across 1.9x releases).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export const CHROMIUM = process.env.BIONER_E2E_CHROMIUM ?? '/usr/bin/chromium';

/**
 * How long any single UI step may take. Generous: on a loaded machine Quick Open's file search or the first tagging
 * can take tens of seconds; a passing run never waits this long.
 */
export const WAIT = Number(process.env.BIONER_E2E_WAIT_MS ?? 60_000);

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // launch() starts from a fresh temporary profile.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}

export class Workbench {
  private constructor(readonly page: Page, private readonly screenshotDir: string) {}

  static async open(browser: Browser, url: string, folder: string, screenshotDir: string): Promise<Workbench> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: WAIT });
    await page.locator('.statusbar').waitFor({ timeout: WAIT });
    fs.mkdirSync(screenshotDir, { recursive: true });
    return new Workbench(page, screenshotDir);
  }

  async screenshot(name: string): Promise<string> {
    const file = path.join(this.screenshotDir, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** Runs a command by its palette title, e.g. "BioNER: Tag Folder…". */
  async runCommand(title: string): Promise<void> {
    await this.closeQuickInput();
    await this.page.keyboard.press('F1');
    const input = this.quickInput.locator('input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    const row = this.quickInput.locator('.monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: WAIT });
    await row.click();
  }

  /** Closes an open quick input (Escape only then: in the editor it would also clear the selection). */
  async closeQuickInput(): Promise<void> {
    if (await this.quickInput.isVisible()) await this.page.keyboard.press('Escape');
  }

  /** Opens a workspace file by name through Quick Open and waits for its editor. */
  async openFile(name: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Control+P');
    const input = this.quickInput.locator('input');
    await input.waitFor({ state: 'visible' });
    await input.fill(name);
    const row = this.quickInput.locator('.monaco-list-row', { hasText: name }).first();
    await row.waitFor({ state: 'visible', timeout: WAIT });
    await row.click();
    await this.page.locator('.tab.active', { hasText: name }).waitFor({ timeout: WAIT });
    await this.page.locator('.editor-instance .view-lines').first().waitFor();
  }

  /** Moves the cursor of the active editor with Go to Line (Ctrl+G). */
  async goToLine(line: number, column: number): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Control+G');
    const input = this.quickInput.locator('input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await this.statusBarItem(`Ln ${line}, Col ${column}`).waitFor({ timeout: WAIT });
  }

  /** Chooses the item of the open quick pick whose text contains `text`. */
  async pick(text: string | RegExp): Promise<void> {
    const row = this.quickInput.locator('.monaco-list-row', { hasText: text }).first();
    await row.waitFor({ state: 'visible', timeout: WAIT });
    await row.click();
  }

  /**
   * Answers an open-folder dialog. code-server always uses VS Code's simple (quick input) file dialog: the input
   * holds a path; typing a folder and pressing Enter twice (navigate, then accept) chooses it.
   */
  async chooseFolder(folder: string): Promise<void> {
    const input = this.quickInput.locator('input');
    await input.waitFor({ state: 'visible', timeout: WAIT });
    const wanted = folder.endsWith('/') ? folder : `${folder}/`;
    // The dialog fills in its start folder asynchronously; typing before that is overwritten, so wait for it first
    // and type again if it still changed under us.
    await this.page.waitForFunction(
      (el) => ((el as { value?: string }).value ?? '').endsWith('/'),
      await input.elementHandle(),
      { timeout: WAIT },
    );
    for (let attempt = 0; attempt < 5; attempt++) {
      await input.fill(wanted);
      await this.page.waitForTimeout(400);
      if ((await input.inputValue()) === wanted) break;
    }
    const ok = this.quickInput.locator('.monaco-button', { hasText: /OK|Tag this folder|Use this model|Write results here/ });
    await ok.first().click();
    await input.waitFor({ state: 'hidden', timeout: WAIT }).catch(() => undefined);
  }

  /** The rendered spans of the active editor whose text is exactly `text`. */
  editorSpans(text: string): Locator {
    // Editors render spaces as no-break spaces; \s matches both.
    const pattern = escapeRegExp(text).replace(/ /g, '\\s');
    return this.page.locator('.editor-instance .view-lines span span', { hasText: new RegExp(`^${pattern}$`) });
  }

  /** The computed colours of the spans with exactly `text` now (none when the text is inside a longer plain span). */
  colours(text: string): Promise<string[]> {
    // Runs in the page (tsconfig has no DOM lib, hence the cast).
    return this.editorSpans(text).evaluateAll((spans) => spans.map((s) => (globalThis as unknown as BrowserWindow).getComputedStyle(s).color));
  }

  /** Waits until a span with exactly `text` has the computed colour `rgb`, e.g. "rgb(224, 64, 122)". */
  async waitForColour(text: string, rgb: string, timeoutMs = WAIT): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const colours = await this.colours(text);
      last = colours.join(', ');
      if (colours.includes(rgb)) return rgb;
      await this.page.waitForTimeout(250);
    }
    return last;
  }

  /** Hovers the first span with exactly `text` and returns the hover's text. */
  async hoverText(text: string): Promise<string> {
    const span = this.editorSpans(text).first();
    // A mouse already resting on the span (an earlier hover) would not raise a new hover.
    await this.page.mouse.move(0, 0);
    await span.hover();
    const hover = this.page.locator('.monaco-hover:not(.hidden) .monaco-hover-content, .monaco-hover:not(.hidden) .hover-contents').first();
    await hover.waitFor({ state: 'visible', timeout: WAIT });
    await this.page.waitForTimeout(300); // the hover fades in
    return (await hover.innerText()).trim();
  }

  statusBarItem(text: string | RegExp): Locator {
    return this.page.locator('.statusbar-item', { hasText: text });
  }

  /** Text of the notification toasts currently shown. */
  notification(text: string | RegExp): Locator {
    return this.page.locator('.notification-toast', { hasText: text });
  }

  async problemsPanelRows(): Promise<string[]> {
    await this.runCommand('Problems: Focus on Problems View');
    const rows = this.page.locator('.markers-panel .monaco-list-row');
    await rows.first().waitFor({ state: 'visible', timeout: WAIT });
    return rows.allInnerTexts();
  }
}

interface BrowserWindow {
  getComputedStyle(element: unknown): { color: string };
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
