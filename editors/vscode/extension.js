// Starts `cnnc lsp` for .cnn files; everything else is the server's.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration('cnnc').get('path', 'cnnc');
  const server = { command, args: ['lsp'] };
  client = new LanguageClient(
    'cnnc',
    'cnnc',
    { run: server, debug: server },
    { documentSelector: [{ language: 'cnn' }] },
  );
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
