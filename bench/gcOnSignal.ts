// Preloaded by the replay benchmark into its consumers, which it starts with --expose-gc: SIGUSR2
// runs a full garbage collection, so that the heap read after it is what the view keeps alive
// rather than whatever garbage the replay left for the next collection.
process.on("SIGUSR2", () => globalThis.gc?.());
