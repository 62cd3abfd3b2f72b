#!/usr/bin/env node
/**
 * Fills the repository's data/ folder (git-ignored), which the notebooks read as '../data': each
 * entry of the source folder (default ../shared/data next to the repository, or TORCHLAB_DATA, or
 * the first argument) is symlinked as data/<name>, or copied where links are not allowed.
 * Entries already in data/ are kept. Exits 1 when there is nothing to link, with where to get MNIST.
 *
 * Usage: node scripts/link-data.mjs [SOURCE]   (npm start runs it)
 */

import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = resolve(process.argv[2] ?? process.env.TORCHLAB_DATA ?? join(root, '..', 'shared', 'data'));
const target = join(root, 'data');

/** True for data/<name> in place, also as a dangling or foreign link (left for the user to judge). */
function present(p) {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

if (!existsSync(source)) {
  console.error(
    `No data folder at ${source}.\n` +
      'Put the four MNIST files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz,\n' +
      `t10k-labels-idx1-ubyte.gz, from https://yann.lecun.com/exdb/mnist/ or a mirror) in ${join(target, 'mnist')},\n` +
      'or name a folder holding mnist/: node scripts/link-data.mjs /path/to/data (or TORCHLAB_DATA=/path/to/data).',
  );
  process.exit(1);
}

mkdirSync(target, { recursive: true });
for (const name of readdirSync(source)) {
  // SOURCES.md and other notes stay with the data they describe
  if (!lstatSync(join(source, name)).isDirectory()) continue;
  const from = join(source, name);
  const to = join(target, name);
  if (present(to)) {
    console.log(`data/${name}: already there`);
    continue;
  }
  try {
    // relative, so the link survives moving the repository together with its data
    const link = relative(target, from);
    symlinkSync(link, to, 'dir');
    console.log(`data/${name} -> ${link}`);
  } catch {
    // Windows without developer mode refuses symlinks
    cpSync(from, to, { recursive: true });
    console.log(`data/${name}: copied from ${from}`);
  }
}
