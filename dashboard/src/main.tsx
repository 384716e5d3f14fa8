import "./zodWithoutEval.ts";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { io } from "socket.io-client";
import { App } from "./App.tsx";
import { createControlClient } from "../../backend/src/contract/controlClient.ts";
import { createDashboard, type SocketLike } from "./createDashboard.ts";
import "./dashboard.css";

// The operator token lives for this tab only: closing it leaves a read-only dashboard behind.
const TOKEN_KEY = "blackout.operatorToken";
const client = createControlClient({
  baseUrl: "",
  token: () => sessionStorage.getItem(TOKEN_KEY) ?? undefined,
  actor: "dashboard",
});
const dashboard = createDashboard({
  client,
  // Asked on every attempt, so a reconnect carries a token given meanwhile.
  connect: (): SocketLike =>
    io({
      transports: ["websocket", "polling"],
      auth: (give) => give({ token: sessionStorage.getItem(TOKEN_KEY) ?? "" }),
    }),
});
dashboard.start();

function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
  void dashboard.reload();
}

const root = document.getElementById("root");
if (root === null) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <App dashboard={dashboard} client={client} setToken={setToken} now={Date.now} />
  </StrictMode>,
);
