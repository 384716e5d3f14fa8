# syntax=docker/dockerfile:1
# One image for every Blackout service, the service chosen by the command:
#   docker build -t blackout:0.1.0 .
#   docker run blackout:0.1.0 src/services/consumer/main.ts
# The dashboard is built inside (control serves dashboard/dist). Runs as uid 1000, not root.
ARG NODE_IMAGE=node:24-bookworm-slim

# Everything, dev dependencies included, to build the dashboard.
FROM ${NODE_IMAGE} AS dashboard
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY backend/package.json backend/
COPY dashboard/package.json dashboard/
RUN npm ci --loglevel=error
# The dashboard shares the backend's types (type-only imports), so the build sees both.
COPY . .
RUN npm run build --workspace dashboard

# The backend's production dependencies only.
FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY backend/package.json backend/
COPY dashboard/package.json dashboard/
RUN npm ci --omit=dev --workspace backend --loglevel=error

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=dependencies /app ./
COPY backend/src backend/src
COPY scenarios scenarios
COPY --from=dashboard /app/dashboard/dist dashboard/dist
# Numeric, so that Kubernetes can check runAsNonRoot against the image itself.
USER 1000:1000
WORKDIR /app/backend
# Node 24 runs the TypeScript sources as they are (type stripping); telemetry loads first.
ENTRYPOINT ["node", "--disable-warning=TimeoutNegativeWarning", "--import", "./src/lib/telemetry.ts"]
CMD ["src/services/control/main.ts"]
