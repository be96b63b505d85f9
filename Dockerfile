# Images of the engine and the dispatcher: `docker build --target engine -t baton-engine .`
# and `docker build --target dispatcher -t baton-dispatcher .`. Both carry the `baton` CLI too.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre AS base
RUN useradd --uid 1000 --create-home baton
WORKDIR /app
COPY --from=build /src/cli/target/lib/ /app/lib/
COPY --from=build /src/cli/target/baton-cli-*.jar /app/lib/
COPY templates/ /app/templates/
ENV JAVA_TOOL_OPTIONS="-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.baton.events -XX:MaxRAMPercentage=75"
USER 1000
EXPOSE 8080

FROM base AS engine
ENV BATON_STATE_DIR=/tmp/baton-streams
ENTRYPOINT ["java", "-cp", "/app/lib/*", "dev.baton.engine.main.EngineMain"]

FROM base AS dispatcher
ENTRYPOINT ["java", "-cp", "/app/lib/*", "dev.baton.dispatcher.DispatcherMain"]

FROM base AS cli
ENTRYPOINT ["java", "-cp", "/app/lib/*", "dev.baton.cli.BatonCli"]
