// Types for chromium.mjs.
import type { BrowserContext } from 'playwright-core';

export const CHROMIUM: string;
export function launchChromium(options?: { viewport?: { width: number; height: number } }): Promise<{ context: BrowserContext; close(): Promise<void> }>;
