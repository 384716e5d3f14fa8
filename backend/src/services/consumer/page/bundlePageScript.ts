import { build } from "esbuild";

/**
 * Bundles the page's browser entry (and the ledger it imports) into one minified ES module, in
 * memory. Rejects with esbuild's messages when the code does not bundle.
 */
export async function bundlePageScript(entryPath: string): Promise<string> {
  let result;
  try {
    result = await build({
      entryPoints: [entryPath],
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      minify: true,
      write: false,
      legalComments: "none",
      logLevel: "silent",
    });
  } catch (error) {
    throw new Error(
      `client page: bundling ${entryPath} failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error(`client page: bundling ${entryPath} produced nothing`);
  return output.text;
}
