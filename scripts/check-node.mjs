// Guard: npm scripts must run on the pinned Node LTS (the `node` devDependency), never on the
// machine's end-of-life Node 20. `npm install --ignore-scripts` silently skips linking it.
const major = Number(process.versions.node.split(".")[0])
if (major < 22) {
  console.error(
    `anju: Node ${process.versions.node} is too old (need >= 22; the project pins node@24 as a devDependency).\n` +
      "Run `npm install` without --ignore-scripts so the pinned Node is linked into node_modules/.bin.",
  )
  process.exit(1)
}
