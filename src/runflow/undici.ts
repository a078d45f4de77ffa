// What the client uses of undici: its Agent and its fetch, from the files that define them.
// undici's index loads every API it has (535 KB minified; these two are 332 KB). esbuild.js
// bundles this file as dist/undici.js, which http.ts requires at its first request, so opening a
// panel does not load it.
import type * as Undici from 'undici';

/* eslint-disable @typescript-eslint/no-require-imports */
export const Agent: typeof Undici.Agent = require('undici/lib/dispatcher/agent.js');
export const fetch: typeof Undici.fetch = require('undici/lib/web/fetch/index.js').fetch;
