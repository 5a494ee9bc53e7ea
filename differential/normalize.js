#!/usr/bin/env node
'use strict';
// Reads JSON lines and prints each as JavaScript holds it, re-serialized by JSON.stringify:
// numbers in JavaScript's shortest form (1e400 as null), integer-like keys first. Lines that
// are not JSON (the oracle's `#rejected: …`) are printed unchanged.

const readline = require('readline');

const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
const out = [];
input.on('line', (line) => {
  let normal = line;
  try {
    normal = JSON.stringify(JSON.parse(line));
  } catch (e) {
    // Kept as it is.
  }
  out.push(normal);
  if (out.length >= 4096) {
    process.stdout.write(out.join('\n') + '\n');
    out.length = 0;
  }
});
input.on('close', () => {
  if (out.length) process.stdout.write(out.join('\n') + '\n');
});
