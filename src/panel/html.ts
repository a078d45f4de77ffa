import * as vscode from 'vscode';
import { randomBytes } from 'crypto';
import type { Host } from '../platform/host';

/**
 * The panel's HTML: a shell the webview bundle fills in. A fresh nonce per render; the CSP starts
 * from default-src 'none', runs only our nonce'd script, and allows images from the webview's own
 * resource origin plus data:/blob: (results, the mask layer). No remote content, no inline code.
 */
export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js'));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data: blob:`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return page(webview, extensionUri, {
    title,
    csp,
    nonce,
    body: `<main id="app" data-nonce="${nonce}"></main>\n<script nonce="${nonce}" src="${script}"></script>`,
  });
}

/** A page with one message and no script: a panel that cannot be restored says why instead of closing. */
function messageHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string, message: string): string {
  const csp = `default-src 'none'; style-src ${webview.cspSource}`;
  return page(webview, extensionUri, { title, csp, body: `<main id="app"><p id="error" class="error" role="alert">${escapeHtml(message)}</p></main>` });
}

/** A revived panel that cannot be shown (its state unreadable, its file not allowed) says `message` instead of closing. */
export function showUnrestorable(host: Host, panel: vscode.WebviewPanel, message: string): void {
  host.log.write('warn', `A panel could not be restored after the reload: ${message}`);
  panel.webview.options = { enableScripts: false, localResourceRoots: [vscode.Uri.joinPath(host.context.extensionUri, 'media')] };
  panel.webview.html = messageHtml(panel.webview, host.context.extensionUri, panel.title, message);
}

/** The document both pages share: the CSP, the panel's stylesheet, the title. */
function page(webview: vscode.Webview, extensionUri: vscode.Uri, p: { title: string; csp: string; nonce?: string; body: string }): string {
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'panel.css'));
  return `<!DOCTYPE html>
<html lang="${escapeHtml(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${p.csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}"${p.nonce ? ` nonce="${p.nonce}"` : ''}>
<title>${escapeHtml(p.title)}</title>
</head>
<body>
${p.body}
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Scripts on, and resources limited to the extension's media/dist and the folders of the images
 * the panel shows (as the built-in image preview does).
 */
/**
 * How a panel is created. A hidden panel keeps its page: rebuilding it from the host's state took
 * about as long as the first open (bench: re-shown 464 ms against 499 ms opened, ratio 0.93),
 * since VS Code makes a new webview first; kept, re-showing is a repaint. The cost is the hidden
 * page's memory (its mask layer, 64 MB for a 4096² image, and the undo steps within their 256 MB). The host
 * still owns the state, for a window reload and a webview VS Code rebuilds anyway.
 */
export const PANEL_OPTIONS: vscode.WebviewPanelOptions = { retainContextWhenHidden: true };

export function panelWebviewOptions(extensionUri: vscode.Uri, files: readonly vscode.Uri[]): vscode.WebviewOptions {
  const folders = files.map((u) => vscode.Uri.joinPath(u, '..'));
  const roots = [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist'), ...folders];
  return { enableScripts: true, localResourceRoots: [...new Map(roots.map((r) => [r.toString(), r])).values()] };
}
