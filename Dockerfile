# One image, several roles: `serve`, `worker`, `migrate` (docs/deployment.md).
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/package.json
COPY packages/server/package.json packages/server/package.json
# Production dependencies only; the base image already provides Node.js 24.
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY package.json package-lock.json ./
COPY packages packages
USER node
EXPOSE 8080
ENTRYPOINT ["node", "packages/server/bin/fenqi.js"]
CMD ["serve"]
