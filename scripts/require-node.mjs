// Refuses an older Node with one clear line (the apps use Node 24 APIs; Node 20 is end-of-life).
// Plain JavaScript with no imports so that any Node can run it.
const wanted = Number(process.argv[2] ?? 24);
const major = Number(process.versions.node.split(".")[0]);
if (major < wanted) {
  console.error(
    `Switchboard needs Node ${wanted} or newer; this is Node ${process.versions.node} (see the README's prerequisites).`,
  );
  process.exit(1);
}
