// The Probot App arrives with its own issue; until then `npm start` says so instead of pretending.
console.error(
  'The ecs-paas GitHub App is not built yet; only the Action (dist/index.js) works today.',
);
process.exitCode = 1;
