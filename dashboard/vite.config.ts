import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Built into dist/, which control serves; `npm run dev --workspace dashboard` serves it with hot
// reload and sends the API and socket.io to a control on its default port.
const control = "http://127.0.0.1:8081";

export default defineConfig({
  plugins: [react()],
  base: "./",
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: {
    proxy: {
      "/api": control,
      "/socket.io": { target: control, ws: true },
    },
  },
});
