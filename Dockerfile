# One image for every selfheal function; the first argument picks the function:
#   docker run ghcr.io/selfheal/selfheal:0.1.0 functions/check-pods/index.ts
# Node 24 runs the TypeScript sources directly (type stripping): there is no build step.
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only (the `node` dev dependency is not needed: this image is Node 24).
# No install scripts: none of the runtime dependencies needs one.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY shared/ ./shared/
COPY functions/ ./functions/
# Default rules so the image runs on its own; in Knative the ConfigMap selfheal-rules is mounted
# over /etc/selfheal (RULES_FILE=/etc/selfheal/rules.yaml).
COPY knative/rules.yaml /etc/selfheal/rules.yaml
# The image's `node` user, by number: Kubernetes can only verify runAsNonRoot with a numeric user.
USER 1000:1000
EXPOSE 8080
# node is PID 1: the functions handle SIGTERM themselves (stop accepting, finish, close Redis).
ENTRYPOINT ["node"]
CMD ["functions/healer/index.ts"]
