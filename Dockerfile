# One image for every selfheal function; the first argument picks the function:
#   docker run ghcr.io/selfheal/selfheal:0.1.0 dist/check-pods/index.mjs
# Each function runs bundled (build/bundle.ts, esbuild): one module to read instead of hundreds of TypeScript files
# to resolve and strip, which cuts the cold start to a fraction (README, Performance). Tests run the sources.
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only (the `node` dev dependency is not needed: this image is Node 24).
# No install scripts: none of the runtime dependencies needs one.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# With the dev dependencies: esbuild (its binary comes in a platform package, no install script needed).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY build/ ./build/
COPY shared/ ./shared/
COPY functions/ ./functions/
RUN node build/bundle.ts /app

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
# node_modules for the few packages left out of the bundles (build/bundle.ts says which and why).
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist/
# Default rules so the image runs on its own; in Knative the ConfigMap selfheal-rules is mounted
# over /etc/selfheal (RULES_FILE=/etc/selfheal/rules.yaml).
COPY knative/rules.yaml /etc/selfheal/rules.yaml
# The image's `node` user, by number: Kubernetes can only verify runAsNonRoot with a numeric user.
USER 1000:1000
EXPOSE 8080
# node is PID 1: the functions handle SIGTERM themselves (stop accepting, finish, close Redis).
ENTRYPOINT ["node"]
CMD ["dist/healer/index.mjs"]
