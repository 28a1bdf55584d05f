# Manifold: the GitHub App server, its worker and the CLI in one image.
#   docker build -t manifold .
#   docker run -e MANIFOLD_WEBHOOK_SECRET=... -e MANIFOLD_GITHUB_APP_ID=... \
#              -e MANIFOLD_GITHUB_PRIVATE_KEY_PATH=/run/secrets/app.pem \
#              -e MANIFOLD_DATABASE_URL=postgresql+asyncpg://... -p 8080:8080 manifold
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY resolver ./resolver
COPY app ./app
COPY deploy ./deploy
COPY action ./action
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends git \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/manifold --create-home manifold
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER manifold
WORKDIR /var/lib/manifold
ENV MANIFOLD_DATABASE_URL=sqlite+aiosqlite:////var/lib/manifold/manifold.db
EXPOSE 8080
ENTRYPOINT ["manifold"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
