/** The project runs on Node 24 from node_modules (the `node` package); say so once, and insist. */
export default function setup(): void {
  console.log(`tests run on Node ${process.version}`);
  if (!process.version.startsWith("v24.")) {
    throw new Error(
      `expected Node 24 from node_modules/.bin, got ${process.version}: run through npm`,
    );
  }
}
