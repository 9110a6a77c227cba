// Checks that every code block marked `<!-- include: path -->` in README.md and docs/ shows
// exactly the file it names (a path relative to the page, or to the repository root). The
// files are compiled by tsc, so the docs cannot drift from the API.
// `node scripts/check-docs.mjs --write` rewrites the blocks from the files.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const write = process.argv.includes('--write');
const pages = ['README.md'];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'api' || name === 'node_modules') continue;
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.md')) pages.push(path);
  }
};
walk('docs');

const marker = /<!-- include: (\S+) -->\n```(\w*)\n([\s\S]*?)```/g;
const problems = [];
let blocks = 0;
for (const page of pages) {
  const text = readFileSync(page, 'utf8');
  const next = text.replace(marker, (whole, ref, lang, code) => {
    blocks++;
    const file = [join(dirname(page), ref), ref].find((p) => existsSync(p));
    if (file === undefined) {
      problems.push(`${page}: includes ${ref}, which does not exist`);
      return whole;
    }
    const source = readFileSync(file, 'utf8').trimEnd();
    if (source !== code.trimEnd()) problems.push(`${page}: the block for ${ref} differs from the file`);
    return `<!-- include: ${ref} -->\n\`\`\`${lang}\n${source}\n\`\`\``;
  });
  if (write && next !== text) writeFileSync(page, next);
}
if (problems.length > 0 && !write) {
  for (const p of problems) console.error(`check-docs: ${p}`);
  console.error('check-docs: run `node scripts/check-docs.mjs --write` to update the pages from the files');
  process.exit(1);
}
console.log(`check-docs: ${blocks} code blocks in ${pages.length} pages match their example files`);
