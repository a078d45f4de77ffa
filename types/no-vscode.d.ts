// What `vscode` resolves to in the layers that must not use it (tsconfig.client.json,
// tsconfig.webview.json, tsconfig.shared.json): a module with nothing in it, so any use fails.
export {};
