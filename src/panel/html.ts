import * as vscode from 'vscode';
import { randomBytes } from 'crypto';

/**
 * The panel's HTML: a shell the webview bundle fills in. A fresh nonce per render; the CSP starts
 * from default-src 'none', runs only our nonce'd script, and allows images from the webview's own
 * resource origin plus data:/blob: (results, the mask layer). No remote content, no inline code.
 */
export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'panel.css'));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data: blob:`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="${escapeHtml(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}" nonce="${nonce}">
<title>${escapeHtml(title)}</title>
</head>
<body>
<main id="app" data-nonce="${nonce}"></main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

/** A page with one message and no script: a panel that cannot be restored says why instead of closing. */
export function messageHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string, message: string): string {
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'panel.css'));
  return `<!DOCTYPE html>
<html lang="${escapeHtml(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource}">
<link rel="stylesheet" href="${style}">
<title>${escapeHtml(title)}</title>
</head>
<body>
<main id="app"><p id="error" class="error" role="alert">${escapeHtml(message)}</p></main>
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
export function panelWebviewOptions(extensionUri: vscode.Uri, files: readonly vscode.Uri[]): vscode.WebviewOptions {
  const folders = files.map((u) => vscode.Uri.joinPath(u, '..'));
  const roots = [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist'), ...folders];
  return { enableScripts: true, localResourceRoots: [...new Map(roots.map((r) => [r.toString(), r])).values()] };
}
