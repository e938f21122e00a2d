export const id = 865;
export const ids = [865];
export const modules = {

/***/ 2865:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runPreviewCommand: () => (/* binding */ runPreviewCommand)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 18 modules
var core = __webpack_require__(6257);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __webpack_require__(4296);
;// CONCATENATED MODULE: ./src/core/config/config-error.ts
/**
 * A config file that cannot be used. The message lists every issue, one per line, as
 * `<source>: <key.path>: <what is wrong>; expected <form>`, ready for a PR comment or a log.
 */
class ConfigError extends Error {
    source;
    issues;
    constructor(source, issues) {
        super(issues
            .map((issue) => [source, issue.path, issue.message].filter(Boolean).join(': '))
            .join('\n'));
        this.source = source;
        this.issues = issues;
        this.name = 'ConfigError';
    }
}
/** `['preview', 'subnets', 1]` → `preview.subnets[1]`. */
function keyPath(path) {
    return path.reduce((text, key) => {
        if (typeof key === 'number')
            return `${text}[${key}]`;
        const name = String(key);
        return text ? `${text}.${name}` : name;
    }, '');
}

// EXTERNAL MODULE: ./node_modules/zod/v4/classic/schemas.js + 15 modules
var schemas = __webpack_require__(9691);
;// CONCATENATED MODULE: ./src/core/config/config-fields.ts

/**
 * Building blocks for the `.github/ecs-paas.yml` schema. Every field names the form it expects, so
 * each mistake reads `got <value>; expected <form>` — the line a user sees in the PR comment.
 */
/** Zod error parameter that explains any failure of a field as `got …; expected <form>`. */
function expected(form) {
    return { error: (issue) => `${got(issue.input)}; expected ${form}` };
}
/** What the user wrote, short enough for one line of a PR comment. */
function got(value) {
    if (value === undefined)
        return 'missing';
    if (value === null)
        return 'got an empty value';
    if (typeof value === 'string') {
        return `got '${value.length > 60 ? `${value.slice(0, 57)}...` : value}'`;
    }
    if (typeof value === 'number' || typeof value === 'boolean')
        return `got ${value}`;
    if (Array.isArray(value))
        return value.length === 0 ? 'got an empty list' : 'got a list';
    return isMap(value) ? 'got a map' : `got a ${typeof value}`;
}
function isMap(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
/**
 * A YAML map with exactly these keys. Unknown keys are reported one by one, with a suggestion
 * when one is a typo of a known key — alongside any other mistake in the same map, not after it.
 */
function section(shape, form) {
    const known = Object.keys(shape);
    return schemas/* looseObject */._H3(shape, expected(form)).superRefine((value, ctx) => {
        for (const key of Object.keys(value)) {
            if (known.includes(key))
                continue;
            ctx.addIssue({
                code: 'custom',
                path: [key],
                input: value[key],
                message: unknownKey(key, known),
            });
        }
    }, 
    // By default zod skips refinements once a field has failed; unknown keys are worth reporting anyway.
    { when: (payload) => isMap(payload.value) });
}
/** A map with keys of a given shape, such as environment variable names. */
function mapOf(key, value, form) {
    return schemas/* record */.g1P(schemas/* string */.YjP().regex(key.pattern), value, {
        // A bad key is raised on the map; explain the key, not the map.
        error: (issue) => issue.code === 'invalid_key'
            ? `${got(issue.input)}; expected ${key.form}`
            : `${got(issue.input)}; expected ${form}`,
    });
}
/** A non-blank string, trimmed. */
function config_fields_text(form) {
    return schemas/* string */.YjP(expected(form)).trim().min(1);
}
/** A trimmed string of the given shape. */
function matching(pattern, form) {
    return config_fields_text(form).regex(pattern);
}
/** An integer in [min, max]. `Number.isInteger` rather than `.int()`, whose failure would hide unknown keys. */
function integer(min, max, form) {
    return schemas/* number */.aig(expected(form)).refine(Number.isInteger).min(min).max(max);
}
/** A list of `item`; a single value is accepted as a list of one (`services: web`). */
function oneOrMore(item, form) {
    return schemas/* preprocess */.vkY((value) => (typeof value === 'string' ? [value] : value), schemas/* array */.YOg(item, expected(form)).min(1));
}
function unknownKey(key, known) {
    const suggestion = closest(key, known);
    return suggestion === undefined
        ? `unknown key; expected one of ${known.join(', ')}`
        : `unknown key; did you mean '${suggestion}'?`;
}
/**
 * The known key within edit distance 2 of `key`, if any. Compared without case or separators, so
 * `taskDefinition` and `task_definition` both find `task-definition`.
 */
function closest(key, known) {
    const plain = (s) => s.toLowerCase().replace(/[-_]/g, '');
    let best;
    for (const candidate of known) {
        const distance = editDistance(plain(key), plain(candidate));
        if (distance <= 2 && (best === undefined || distance < best.distance)) {
            best = { key: candidate, distance };
        }
    }
    return best?.key;
}
/** Optimal string alignment distance: a swap of two neighbouring letters counts as one edit. */
function editDistance(a, b) {
    const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    const at = (i, j) => rows[i]?.[j] ?? Infinity;
    for (let i = 1; i <= a.length; i++) {
        const row = rows[i] ?? [];
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
                distance = Math.min(distance, at(i - 2, j - 2) + 1);
            }
            row[j] = distance;
        }
    }
    return at(a.length, b.length);
}

;// CONCATENATED MODULE: ./src/core/config/environment-config.ts


/** GitHub's repository permission levels, weakest first, so a level can be compared by position. */
const PERMISSION_LEVELS = ['read', 'triage', 'write', 'maintain', 'admin'];
const environment = section({
    cluster: config_fields_text('an ECS cluster name or ARN'),
    services: oneOrMore(config_fields_text('an ECS service name'), 'an ECS service name or a non-empty list of them'),
    permission: schemas/* enum */.k5n(PERMISSION_LEVELS, expected('read, triage, write, maintain or admin'))
        .default('write'),
    container: oneOrMore(config_fields_text('a container name'), 'a container name or a non-empty list of them').optional(),
    'task-definition': config_fields_text('a task definition family or ARN').optional(),
}, 'a map with cluster and services').transform((entry) => ({
    cluster: entry.cluster,
    services: entry.services,
    permission: entry.permission,
    containers: entry.container ?? [],
    ...(entry['task-definition'] !== undefined && { taskDefinition: entry['task-definition'] }),
}));
/** `environments:`, keyed by the name typed after `/deploy`. */
const environmentsSchema = mapOf({
    pattern: /^[a-z0-9][a-z0-9-]*$/,
    form: "an environment name of lowercase letters, digits and '-', such as staging",
}, environment, 'a map of environment names to { cluster, services, permission }');

// EXTERNAL MODULE: ./node_modules/zod/v4/core/core.js
var core_core = __webpack_require__(8532);
// EXTERNAL MODULE: ./src/core/duration.ts
var duration = __webpack_require__(8571);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
;// CONCATENATED MODULE: ./src/core/preview/subdomain.ts

/** The placeholders a subdomain template may use (the config schema checks templates against it). */
const SUBDOMAIN_PLACEHOLDERS = ['number', 'repo', 'owner', 'branch'];
/** RFC 1035 caps a DNS label at 63 octets; Route 53 rejects anything longer. */
const MAX_LABEL = 63;
const HASH_LENGTH = 6;
/**
 * The DNS label for a PR's preview: `pr-{number}-{repo}` → `pr-42-web`. Lowercase `[a-z0-9-]` only,
 * no leading, trailing or doubled `-`, at most 63 characters. A label that has to be cut ends in a
 * hash of the whole label, so two long branch names that differ only at the end stay apart.
 */
function subdomainLabel(template, vars) {
    const filled = template.replace(/\{(\w+)\}/g, (placeholder, name) => isPlaceholder(name) ? String(vars[name]) : placeholder);
    // A template of nothing but punctuation would give an empty label: fall back to the PR number.
    const label = sanitize(filled) || `pr-${vars.number}`;
    return fit(label, MAX_LABEL);
}
/**
 * `label` made distinct for one repository: used when another repository's preview already holds
 * `label` under the same domain (two repositories both called `web`).
 */
function uniqueLabel(label, repo) {
    // GitHub names are case-insensitive; one repository must always get the same suffix.
    const suffix = shortHash(repo.toLowerCase());
    const base = fit(label, MAX_LABEL - suffix.length - 1);
    return base ? `${base}-${suffix}` : suffix;
}
function isPlaceholder(name) {
    return SUBDOMAIN_PLACEHOLDERS.includes(name);
}
function sanitize(text) {
    return (text
        // Decompose accents so `über` reads as `uber` rather than losing the letter.
        .normalize('NFKD')
        .replace(/\p{M}/gu, '')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, ''));
}
/** Cuts `label` to `max` characters, ending in a hash of the uncut label so cut labels stay unique. */
function fit(label, max) {
    if (label.length <= max)
        return label;
    const prefix = label.slice(0, max - HASH_LENGTH - 1).replace(/-+$/, '');
    return `${prefix}-${shortHash(label)}`;
}
function shortHash(text) {
    return (0,external_node_crypto_.createHash)('sha256').update(text).digest('hex').slice(0, HASH_LENGTH);
}
/**
 * Whether `label` could have come from `template`: the sweep deletes a DNS record without a task
 * only when it passes, since the zone may hold records that are not previews at all. Placeholders
 * match what they can produce; a label cut to 63 characters or given a repository suffix still
 * passes on its leading literal text. Templates too loose to tell previews from other records
 * (no `{number}`, or no fixed word) fit nothing.
 */
function labelFitsTemplate(template, label) {
    const parts = template.split(/(\{\w+\})/).filter(Boolean);
    // Without a PR number and a fixed word (the `pr` of `pr-{number}-{repo}`) a template fits
    // `www` or `grafana` too: no plain record is then ever taken for a lost preview.
    const fixedWord = parts.some((p) => !p.startsWith('{') && /[a-z0-9]/i.test(p));
    if (!template.includes('{number}') || !fixedWord)
        return false;
    const pattern = parts
        .map((part) => {
        const name = /^\{(\w+)\}$/.exec(part)?.[1];
        if (name === 'number')
            return '\\d+';
        if (name && isPlaceholder(name))
            return '[a-z0-9-]*';
        return escapeRegExp(sanitize(part) ? part.toLowerCase().replace(/[^a-z0-9]+/g, '-') : '-');
    })
        .join('');
    const hash = `(-[0-9a-f]{${HASH_LENGTH}})?`;
    if (new RegExp(`^${pattern}${hash}$`).test(label))
        return true;
    // Cut labels keep their first characters; the literal before the first placeholder must be there.
    const lead = parts[0] && !parts[0].startsWith('{') ? sanitize(parts[0]) : '';
    return label.length >= MAX_LABEL - HASH_LENGTH - 1 && lead !== '' && label.startsWith(lead);
}
function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

;// CONCATENATED MODULE: ./src/core/config/routing-config.ts



const DNS_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;
const LISTENER_ARN = /^arn:aws(-[a-z]+)*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener\/app\/[\w-]+\/[0-9a-f]+\/[0-9a-f]+$/;
const MODE_FORM = 'dns or alb';
const TEMPLATE_FORM = 'a label template with {number}, using only {number}, {repo}, {owner} and {branch}';
/** `pr-{number}-{repo}` → why the template cannot name every PR apart, or undefined when it can. */
function templateProblem(template) {
    const names = [...template.matchAll(/\{([^{}]*)\}/g)].map((match) => match[1] ?? '');
    const stray = names.find((name) => !SUBDOMAIN_PLACEHOLDERS.includes(name));
    if (stray !== undefined)
        return `{${stray}} is not a placeholder`;
    if (/[{}]/.test(template.replace(/\{[^{}]*\}/g, '')))
        return 'a brace without its pair';
    if (!names.includes('number'))
        return 'no {number}, so pull requests would share one name';
    return undefined;
}
const subdomainTemplate = schemas/* string */.YjP(expected(TEMPLATE_FORM))
    .superRefine((template, ctx) => {
    const problem = templateProblem(template);
    if (problem !== undefined) {
        ctx.addIssue({
            code: 'custom',
            message: `${got(template)} (${problem}); expected ${TEMPLATE_FORM}`,
        });
    }
})
    .default('pr-{number}-{repo}');
const common = {
    domain: schemas/* string */.YjP(expected('a DNS name without a trailing dot, such as preview.example.com'))
        .trim()
        .toLowerCase()
        .regex(DNS_NAME),
    'hosted-zone-id': matching(/^[A-Z0-9]{1,32}$/, 'a Route 53 hosted zone ID (capital letters and digits, no /hostedzone/ prefix) such as Z0123456789ABCDEFGHIJ'),
    port: integer(1, 65_535, 'an integer from 1 to 65535').default(80),
    subdomain: subdomainTemplate,
};
/** An ALB-only key written in dns mode would be silently ignored: say so instead. */
const albOnly = (key) => schemas/* undefined */.Vxk({ error: `only used when mode is alb; expected mode: alb, or no ${key}` }).optional();
const dnsRouting = section({
    mode: schemas/* literal */.euz('dns', expected(MODE_FORM)).optional(),
    ...common,
    'listener-arn': albOnly('listener-arn'),
    'vpc-id': albOnly('vpc-id'),
    'health-check-path': albOnly('health-check-path'),
}, 'a map with domain and hosted-zone-id');
const albRouting = section({
    mode: schemas/* literal */.euz('alb', expected(MODE_FORM)),
    ...common,
    'listener-arn': matching(LISTENER_ARN, 'the ARN of an HTTPS listener of an application load balancer (arn:aws:elasticloadbalancing:<region>:<account>:listener/app/...)'),
    'vpc-id': matching(/^vpc-[0-9a-z]+$/, 'a VPC ID such as vpc-0abc1234'),
    'health-check-path': matching(/^\/\S*$/, "a URL path starting with '/'").default('/'),
}, 'a map with mode, domain, hosted-zone-id, listener-arn and vpc-id');
/** `preview.routing`: DNS records straight to the task (default) or a shared ALB. */
const routingSchema = schemas/* discriminatedUnion */.gMt('mode', [dnsRouting, albRouting], {
    error: (issue) => {
        // An unmatched mode is raised on the whole map; name the value that was actually wrong.
        const mode = isMap(issue.input) ? issue.input.mode : issue.input;
        return issue.code === 'invalid_union'
            ? `${got(mode)}; expected ${MODE_FORM}`
            : `${got(issue.input)}; expected a map with domain and hosted-zone-id`;
    },
})
    .transform((routing) => {
    const settings = {
        domain: routing.domain,
        hostedZoneId: routing['hosted-zone-id'],
        port: routing.port,
        subdomain: routing.subdomain,
    };
    return routing.mode === 'alb'
        ? {
            mode: 'alb',
            ...settings,
            listenerArn: routing['listener-arn'],
            vpcId: routing['vpc-id'],
            healthCheckPath: routing['health-check-path'],
        }
        : { mode: 'dns', ...settings };
});

;// CONCATENATED MODULE: ./src/core/config/preview-config.ts




const DEFAULT_IDLE_MS = 24 * 3_600_000;
/** Shorter than a sweep or two would stop previews between a developer's clicks. */
const MIN_IDLE_MS = 5 * 60_000;
const IDLE_FORM = "a duration of at least 5m such as 24h, 90m or 3d, or 'never'";
const idleAfter = schemas/* union */.KCZ([schemas/* string */.YjP(), schemas/* number */.aig()], expected(IDLE_FORM))
    .optional()
    .transform((raw, ctx) => {
    if (raw === undefined)
        return DEFAULT_IDLE_MS;
    const value = String(raw).trim().toLowerCase();
    if (value === 'never')
        return null;
    const ms = (0,duration/* parseDuration */.E)(value);
    if (ms === 0)
        return null;
    if (ms === undefined || ms < MIN_IDLE_MS) {
        const why = ms === undefined ? '' : ' (below the 5m minimum)';
        ctx.addIssue({
            code: 'custom',
            input: raw,
            message: `${got(raw)}${why}; expected ${IDLE_FORM}`,
        });
        return core_core/* NEVER */.tm;
    }
    return ms;
});
const activityMetric = section({
    namespace: config_fields_text('a CloudWatch namespace such as MyApp'),
    name: config_fields_text('a CloudWatch metric name such as RequestCount'),
    dimension: config_fields_text("the name of the dimension whose value is the preview's subdomain label"),
}, 'a map with namespace, name and dimension');
const env = mapOf({
    pattern: /^[A-Za-z_][A-Za-z0-9_]*$/,
    form: "an environment variable name (letters, digits and '_', not starting with a digit)",
}, schemas/* union */.KCZ([schemas/* string */.YjP(), schemas/* number */.aig(), schemas/* boolean */.zMY()], expected('a string, number or boolean'))
    .transform(String), 'a map of environment variable names to values');
/** `preview:`; the whole section is optional, its absence meaning previews are off. */
const previewSchema = section({
    cluster: config_fields_text('an ECS cluster name or ARN'),
    'task-definition': matching(/^[A-Za-z0-9_-]{1,255}$/, "a task definition family name (letters, digits, '-' and '_'), without a revision"),
    container: config_fields_text('the name of a container in the task definition').optional(),
    'ecr-repository': matching(/^([a-z0-9]+([._-][a-z0-9]+)*\/)*[a-z0-9]+([._-][a-z0-9]+)*$/, "an ECR repository name such as 'web' or 'team/web'").optional(),
    'launch-type': schemas/* enum */.k5n(['FARGATE', 'EC2', 'EXTERNAL'], expected('FARGATE, EC2 or EXTERNAL'))
        .default('FARGATE'),
    subnets: schemas/* array */.YOg(matching(/^subnet-[0-9a-z]+$/, 'a subnet ID such as subnet-0abc1234'), expected('a non-empty list of subnet IDs such as [subnet-0abc1234]'))
        .min(1),
    'security-groups': schemas/* array */.YOg(matching(/^sg-[0-9a-z]+$/, 'a security group ID such as sg-0abc1234'), expected('a list of security group IDs such as [sg-0abc1234]'))
        .default([]),
    'assign-public-ip': schemas/* boolean */.zMY(expected('true or false')).default(false),
    routing: routingSchema,
    env: env.default({}),
    'max-previews': integer(1, Number.MAX_SAFE_INTEGER, 'an integer of at least 1').default(10),
    forks: schemas/* enum */.k5n(['require-approval', 'never'], expected('require-approval or never'))
        .default('require-approval'),
    'idle-after': idleAfter,
    'activity-metric': activityMetric.optional(),
}, 'a map with cluster, task-definition, subnets and routing').transform((preview) => ({
    cluster: preview.cluster,
    taskDefinition: preview['task-definition'],
    ...(preview.container !== undefined && { container: preview.container }),
    ...(preview['ecr-repository'] !== undefined && { ecrRepository: preview['ecr-repository'] }),
    launchType: preview['launch-type'],
    subnets: preview.subnets,
    securityGroups: preview['security-groups'],
    assignPublicIp: preview['assign-public-ip'],
    routing: preview.routing,
    env: preview.env,
    maxPreviews: preview['max-previews'],
    forks: preview.forks,
    idleAfterMs: preview['idle-after'],
    ...(preview['activity-metric'] !== undefined && {
        activityMetric: {
            namespace: preview['activity-metric'].namespace,
            name: preview['activity-metric'].name,
            dimension: preview['activity-metric'].dimension,
        },
    }),
}));

;// CONCATENATED MODULE: ./src/core/config/repo-config.ts








const repoConfigSchema = section({ preview: previewSchema.optional(), environments: environmentsSchema.optional() }, 'a map with preview and/or environments').transform((config) => ({
    ...(config.preview !== undefined && { preview: config.preview }),
    environments: config.environments ?? {},
}));
/**
 * Parses and validates the repository's config. An empty file is valid and turns previews off.
 * Throws a ConfigError that lists every mistake at once, so one fix-up commit can address them all.
 */
function parseRepoConfig(text, source = '.github/ecs-paas.yml') {
    // `<<: *defaults` is how teams share settings between environments; YAML 1.2 needs it opted in.
    const document = (0,dist.parseDocument)(text, { merge: true });
    if (document.errors.length > 0)
        throw new ConfigError(source, syntaxIssues(document.errors));
    let content;
    try {
        content = document.toJS();
    }
    catch (error) {
        // toJS refuses alias bombs and similar; that is the file's fault, not ours.
        throw new ConfigError(source, [
            { path: '', message: `${(0,errors/* errorMessage */.gJ)(error)}; expected plain YAML` },
        ]);
    }
    const result = repoConfigSchema.safeParse(withoutEmptyValues(content) ?? {});
    if (result.success)
        return result.data;
    throw new ConfigError(source, result.error.issues.map((issue) => ({ path: keyPath(issue.path), message: issue.message })));
}
/** One issue per line: a single slip often makes the parser complain several times about one line. */
function syntaxIssues(errors) {
    const byLine = new Map();
    for (const error of errors) {
        const start = error.linePos?.[0];
        const line = start?.line ?? 0;
        if (byLine.has(line))
            continue;
        const where = start ? `line ${start.line}, column ${start.col}` : 'YAML';
        const reason = error.code === 'MULTIPLE_DOCS'
            ? 'a second YAML document (---)'
            : error.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '');
        byLine.set(line, { path: '', message: `${where}: ${reason}; expected valid YAML` });
    }
    return [...byLine.values()];
}
/**
 * Drops map entries with no value. `container:` with nothing after it, or a section whose every
 * line is commented out, then reads as the key left out rather than as a puzzling "got null".
 */
function withoutEmptyValues(value) {
    if (Array.isArray(value))
        return value.map(withoutEmptyValues);
    if (typeof value !== 'object' || value === null)
        return value;
    if (Object.getPrototypeOf(value) !== Object.prototype)
        return value;
    return Object.fromEntries(Object.entries(value)
        .filter(([, entry]) => entry !== null)
        .map(([key, entry]) => [key, withoutEmptyValues(entry)]));
}

;// CONCATENATED MODULE: ./src/core/github/living-comment.ts
/** The hidden marker that finds our one comment on a PR; never remembered, always looked up. */
const COMMENT_MARKER = '<!-- ecs-paas:preview -->';
/**
 * Edits the PR's ecs-paas comment in place, or creates it when there is none: one comment per PR,
 * never one per push. The body is written whole in one request, so it is never half-updated, and
 * not at all when it already reads the same (a redelivered webhook writes nothing). A function
 * body is given the current text, to keep or edit a part of it (the `/logs` block).
 */
async function upsertComment(api, target, body) {
    const existing = await findComment(api, target);
    const text = typeof body === 'string' ? body : body(existing?.body);
    const marked = text.includes(COMMENT_MARKER) ? text : `${COMMENT_MARKER}\n${text}`;
    if (existing && existing.body === marked)
        return { id: existing.id, created: false };
    if (existing) {
        await api.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
            owner: target.owner,
            repo: target.repo,
            comment_id: existing.id,
            body: marked,
        });
        return { id: existing.id, created: false };
    }
    const { data } = await api.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner: target.owner,
        repo: target.repo,
        issue_number: target.issueNumber,
        body: marked,
    });
    return { id: data.id, created: true };
}
/** Walks the PR's comments a page of 100 at a time until the marker turns up. */
async function findComment(api, target) {
    for (let page = 1; page <= 50; page++) {
        const { data } = await api.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
            owner: target.owner,
            repo: target.repo,
            issue_number: target.issueNumber,
            per_page: 100,
            page,
        });
        const comments = data;
        // Only a bot's comment counts: anyone can paste the marker into a comment of their own.
        const ours = comments.find((c) => c.user?.type === 'Bot' && c.body?.includes(COMMENT_MARKER));
        if (ours)
            return { id: ours.id, body: ours.body ?? '' };
        if (comments.length < 100)
            return undefined;
    }
    return undefined;
}

;// CONCATENATED MODULE: ./src/core/github/pull-requests.ts
async function getPull(api, repo, number) {
    const { data } = await api.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
        ...repo,
        pull_number: number,
    });
    return data;
}
/**
 * Whether `sha` is still the PR's head, for the engine's switch-over check. When GitHub cannot
 * say, the launch is kept: the next event for the PR converges anyway.
 */
async function isHead(api, repo, number, sha) {
    try {
        return (await getPull(api, repo, number)).head.sha === sha;
    }
    catch {
        return true;
    }
}

;// CONCATENATED MODULE: ./src/core/preview/create-router.ts
/** The router for the configured mode; each mode's module is loaded only when it is used. */
async function createRouter(aws, routing) {
    if (routing.mode === 'alb') {
        const { createAlbRouter } = await Promise.all(/* import() */[__webpack_require__.e(2), __webpack_require__.e(586), __webpack_require__.e(459)]).then(__webpack_require__.bind(__webpack_require__, 4459));
        return createAlbRouter({ elbv2: await aws.elbv2(), route53: await aws.route53() }, routing);
    }
    const { createDnsRouter } = await Promise.all(/* import() */[__webpack_require__.e(2), __webpack_require__.e(621)]).then(__webpack_require__.bind(__webpack_require__, 621));
    return createDnsRouter(await aws.route53(), routing);
}

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-ecs/dist-cjs/index.js
var dist_cjs = __webpack_require__(212);
// EXTERNAL MODULE: ./src/core/deploy/explain-failure.ts + 1 modules
var explain_failure = __webpack_require__(966);
// EXTERNAL MODULE: ./src/core/deploy/load-task-definition.ts
var load_task_definition = __webpack_require__(8627);
// EXTERNAL MODULE: ./src/core/preview/routing-types.ts
var routing_types = __webpack_require__(1622);
;// CONCATENATED MODULE: ./src/core/preview/preview-tasks.ts



/** DescribeTasks takes at most 100 tasks per call. */
const DESCRIBE_BATCH = 100;
/**
 * Every managed preview task in the cluster that is not stopping, from AWS alone: one ListTasks
 * walk by `startedBy`, then DescribeTasks in hundreds with tags. Tasks without our tags (someone
 * else's `startedBy=ecs-paas`) are left out.
 */
async function listPreviewTasks(ecs, cluster) {
    const arns = [];
    let nextToken;
    try {
        do {
            const page = await ecs.send(new dist_cjs/* ListTasksCommand */.MYg({
                cluster,
                startedBy: routing_types/* STARTED_BY */.mf,
                desiredStatus: 'RUNNING',
                maxResults: 100,
                ...(nextToken ? { nextToken } : {}),
            }));
            arns.push(...(page.taskArns ?? []));
            nextToken = page.nextToken;
        } while (nextToken);
    }
    catch (error) {
        throw (0,errors/* withContext */.eQ)(`Could not list preview tasks in cluster '${cluster}'`, error);
    }
    return describePreviewTasks(ecs, cluster, arns);
}
async function describePreviewTasks(ecs, cluster, arns) {
    const result = [];
    for (let start = 0; start < arns.length; start += DESCRIBE_BATCH) {
        const response = await ecs
            .send(new dist_cjs/* DescribeTasksCommand */.z8X({
            cluster,
            tasks: arns.slice(start, start + DESCRIBE_BATCH),
            include: ['TAGS'],
        }))
            .catch((error) => Promise.reject((0,errors/* withContext */.eQ)('Could not describe preview tasks', error)));
        for (const task of response.tasks ?? []) {
            const preview = toPreviewTask(task);
            if (preview)
                result.push(preview);
        }
    }
    return result;
}
function toPreviewTask(task) {
    const tags = new Map((task.tags ?? []).map((tag) => [tag.key ?? '', tag.value ?? '']));
    if (tags.get(routing_types/* TAGS */.gp.managed) !== 'true' || !task.taskArn)
        return undefined;
    const pr = Number(tags.get(routing_types/* TAGS */.gp.pr));
    const repo = tags.get(routing_types/* TAGS */.gp.repo);
    if (!repo || !Number.isInteger(pr))
        return undefined;
    const url = tags.get(routing_types/* TAGS */.gp.url);
    const launchedBy = tags.get(routing_types/* TAGS */.gp.launchedBy);
    const lastActivity = dateTag(tags.get(routing_types/* TAGS */.gp.lastActivity));
    const launchedAt = dateTag(tags.get(routing_types/* TAGS */.gp.launchedAt));
    const keepUntil = dateTag(tags.get(routing_types/* TAGS */.gp.keepUntil));
    return {
        task,
        arn: task.taskArn,
        repo,
        pr,
        sha: tags.get(routing_types/* TAGS */.gp.sha) ?? '',
        label: tags.get(routing_types/* TAGS */.gp.subdomain) ?? '',
        ...(url ? { url } : {}),
        ...(launchedBy ? { launchedBy } : {}),
        ...(lastActivity && { lastActivity }),
        ...(launchedAt && { launchedAt }),
        ...(keepUntil && { keepUntil }),
        status: task.lastStatus ?? 'UNKNOWN',
        ...(task.startedAt ? { startedAt: task.startedAt } : {}),
        ...(task.createdAt ? { createdAt: task.createdAt } : {}),
    };
}
/** A tag holding an ISO 8601 time; anything else (edited by hand, cut short) counts as absent. */
function dateTag(value) {
    if (!value)
        return undefined;
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : new Date(ms);
}
/** Oldest first, ARN as the tie-break, so every racer agrees on which duplicate survives. */
function byAge(a, b) {
    const when = (t) => (t.launchedAt ?? t.createdAt)?.getTime() ?? 0;
    const age = when(a) - when(b);
    return age !== 0 ? age : a.arn.localeCompare(b.arn);
}

// EXTERNAL MODULE: ./src/core/deploy/render-task-definition.ts
var render_task_definition = __webpack_require__(391);
;// CONCATENATED MODULE: ./src/core/preview/preview-task-definition.ts

/**
 * The preview revision of a base task definition. It lives in its own `<family>-preview` family:
 * a preview revision in the base family would become its newest revision, and a deploy that names
 * the family (the Action's `task-definition: web`) would ship a PR's image to production.
 */
function previewTaskDefinition(base, options) {
    const [container = ''] = (0,render_task_definition/* selectContainers */.VA)(base, options.container ? [options.container] : []);
    const pinned = (0,render_task_definition/* pinImage */.nH)(base, [container], options.image);
    return {
        container,
        definition: {
            ...pinned,
            family: previewFamily(base.family ?? ''),
            containerDefinitions: (pinned.containerDefinitions ?? []).map((definition) => definition.name === container
                ? { ...definition, environment: mergeEnv(definition.environment ?? [], options.env) }
                : definition),
            tags: [...options.tags],
        },
    };
}
function previewFamily(base) {
    return base.endsWith('-preview') ? base : `${base}-preview`;
}
function mergeEnv(current, extra) {
    const merged = new Map(current.map((pair) => [pair.name ?? '', pair.value ?? '']));
    for (const [name, value] of Object.entries(extra))
        merged.set(name, value);
    return [...merged].map(([name, value]) => ({ name, value }));
}

;// CONCATENATED MODULE: ./src/core/preview/preview-host.ts

/**
 * The PR's host name. A label another repository's preview already holds (two repos called `web`
 * under one domain) gets a hash of this repository's name, so previews never collide.
 */
function previewHost(routing, pr, fleet) {
    const [owner = '', repo = ''] = pr.repo.split('/');
    const own = fleet.find((t) => t.repo === pr.repo && t.pr === pr.number && t.label);
    let label = own?.label ??
        subdomainLabel(routing.subdomain, { number: pr.number, owner, repo, branch: pr.branch });
    if (!own && fleet.some((t) => t.label === label && t.repo !== pr.repo))
        label = uniqueLabel(label, pr.repo);
    const hostname = `${label}.${routing.domain}`;
    return { label, hostname, url: previewUrl(routing, hostname) };
}
/** ALB previews are served over the shared HTTPS listener; DNS previews hit the task's port. */
function previewUrl(routing, hostname) {
    if (routing.mode === 'alb')
        return `https://${hostname}`;
    return routing.port === 80 ? `http://${hostname}` : `http://${hostname}:${routing.port}`;
}

;// CONCATENATED MODULE: ./src/core/preview/stop-preview-tasks.ts


/**
 * Stops preview tasks one by one (ECS has no batch stop); a task that will not stop is a warning,
 * not the end of the others. Returns the ARNs that did stop, so callers act only on those.
 */
async function stopPreviewTasks(deps, cluster, tasks, reason) {
    const stopped = [];
    for (const task of tasks) {
        try {
            await deps.aws.ecs.send(new dist_cjs/* StopTaskCommand */.PP1({ cluster, task: task.arn, reason }));
            stopped.push(task.arn);
        }
        catch (error) {
            deps.log.warning(`Could not stop ${task.arn}: ${(0,errors/* errorMessage */.gJ)(error)}`);
        }
    }
    return stopped;
}

;// CONCATENATED MODULE: ./src/core/preview/task-address.ts

/**
 * The address a preview is reached at: the ENI's private IP, or, with `assign-public-ip`, the
 * public IP EC2 associated with that ENI (ECS itself never reports it).
 */
async function taskAddress(task, aws, publicIp) {
    const details = task.attachments?.find((a) => a.type === 'ElasticNetworkInterface')?.details ?? [];
    const detail = (name) => details.find((d) => d.name === name)?.value;
    const privateIp = detail('privateIPv4Address');
    if (!publicIp) {
        if (!privateIp)
            throw new Error('the task has no private IP (is its network mode awsvpc?)');
        return privateIp;
    }
    const eni = detail('networkInterfaceId');
    if (!eni)
        throw new Error('the task has no network interface to read a public IP from');
    // EC2 is loaded only for previews that ask for a public IP.
    const { DescribeNetworkInterfacesCommand } = await __webpack_require__.e(/* import() */ 193).then(__webpack_require__.t.bind(__webpack_require__, 5193, 19));
    const ec2 = await aws.ec2();
    const response = await ec2
        .send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni] }))
        .catch((error) => Promise.reject((0,errors/* withContext */.eQ)(`Could not describe ${eni}`, error)));
    const address = response.NetworkInterfaces?.[0]?.Association?.PublicIp;
    if (!address) {
        throw new Error(`${eni} has no public IP; check that the subnets give public IPs or set 'assign-public-ip: false'`);
    }
    return address;
}

// EXTERNAL MODULE: ./src/core/poll.ts
var poll = __webpack_require__(8822);
;// CONCATENATED MODULE: ./src/core/preview/wait-for-task.ts



/** Thrown by the poll at its timeout; caught below, where the task is stopped. */
class StillStarting extends Error {
}
/**
 * Polls one task with backoff until it is RUNNING or STOPPED. A task still starting at the
 * timeout is stopped, so a slow start never leaves a task nobody tracks.
 */
async function waitForTask(ecs, cluster, taskArn, options) {
    let last;
    try {
        return await (0,poll/* pollUntil */.g)(async () => {
            const response = await ecs.send(new dist_cjs/* DescribeTasksCommand */.z8X({ cluster, tasks: [taskArn] }));
            last = response.tasks?.[0];
            if (last?.lastStatus === 'RUNNING')
                return { done: { state: 'running', task: last } };
            if (last?.lastStatus === 'STOPPED' || last?.desiredStatus === 'STOPPED') {
                return { done: { state: 'stopped', task: last } };
            }
            return { miss: last };
        }, options, () => new StillStarting());
    }
    catch (error) {
        if (!(error instanceof StillStarting))
            throw error;
    }
    await ecs
        .send(new dist_cjs/* StopTaskCommand */.PP1({ cluster, task: taskArn, reason: 'ecs-paas: did not start in time' }))
        .catch(() => undefined);
    return {
        state: 'timed-out',
        ...(last ? { task: last } : {}),
        reason: `the task was still ${last?.lastStatus ?? 'unknown'} after ${(0,duration/* formatDuration */.a)(options.timeoutMs)}; it was stopped`,
    };
}

;// CONCATENATED MODULE: ./src/core/preview/launch-preview.ts











/** Why ecs-paas stopped a task; read back to tell "replaced" from "crashed". */
const SUPERSEDED = 'ecs-paas: superseded by';
/**
 * Brings one PR's preview to its head: nothing when a task for this SHA already serves it,
 * otherwise launch, wait for RUNNING, switch the route, and stop the PR's older tasks. Safe to
 * run twice and to race: every racer lists the PR's tasks again before switching over, and the
 * loser stops only its own task.
 */
async function launchPreview(deps, settings, request) {
    const { pr } = request;
    const started = Date.now();
    if (pr.fork && settings.forks === 'never') {
        return {
            kind: 'refused',
            reason: 'previews of pull requests from forks are disabled (forks: never)',
        };
    }
    if (pr.fork && !request.approved) {
        return {
            kind: 'refused',
            reason: 'this pull request comes from a fork: a maintainer must approve it with /deploy',
        };
    }
    const fleet = await listPreviewTasks(deps.aws.ecs, settings.cluster);
    const host = previewHost(settings.routing, pr, fleet);
    const mine = fleet.filter((t) => t.repo === pr.repo && t.pr === pr.number);
    const current = mine.filter((t) => t.sha === pr.sha).sort(byAge)[0];
    if (current && current.status === 'RUNNING') {
        // Converge the route too: a crash between RUNNING and the DNS switch leaves it behind.
        const { url } = await routeTask(deps, settings, pr, host, current.task);
        await stopTasks(deps, settings.cluster, mine.filter((t) => t !== current), pr.sha);
        const since = current.launchedAt ?? current.startedAt;
        return {
            kind: 'unchanged',
            url,
            sha: pr.sha,
            taskArn: current.arn,
            ...(since ? { since } : {}),
            // A keep that ran out is history, not something to show.
            ...(current.keepUntil && current.keepUntil.getTime() > Date.now()
                ? { keepUntil: current.keepUntil }
                : {}),
        };
    }
    const others = new Set(fleet.filter((t) => t.repo === pr.repo && t.pr !== pr.number).map((t) => t.pr));
    if (mine.length === 0 && others.size >= settings.maxPreviews) {
        return {
            kind: 'refused',
            reason: `${pr.repo} already has ${others.size} previews running (max-previews: ${settings.maxPreviews}); close or stop one first`,
        };
    }
    // A push must not undo `/preview keep`: the new task inherits the exemption.
    const keepUntil = mine
        .map((t) => t.keepUntil)
        .filter((d) => d !== undefined && d.getTime() > started)
        .sort((a, b) => b.getTime() - a.getTime())[0];
    const tags = Object.entries({
        [routing_types/* TAGS */.gp.managed]: 'true',
        [routing_types/* TAGS */.gp.repo]: pr.repo,
        [routing_types/* TAGS */.gp.pr]: String(pr.number),
        [routing_types/* TAGS */.gp.sha]: pr.sha,
        [routing_types/* TAGS */.gp.subdomain]: host.label,
        [routing_types/* TAGS */.gp.url]: host.url,
        [routing_types/* TAGS */.gp.launchedBy]: request.launchedBy,
        [routing_types/* TAGS */.gp.launchedAt]: new Date(started).toISOString(),
        ...(keepUntil && { [routing_types/* TAGS */.gp.keepUntil]: keepUntil.toISOString() }),
    }).map(([key, value]) => ({ key, value: (0,routing_types/* tagValue */.EZ)(value) }));
    const base = await (0,load_task_definition/* describeTaskDefinition */.o)(deps.aws.ecs, settings.taskDefinition);
    const { definition, container } = previewTaskDefinition(base.input, {
        ...(settings.container ? { container: settings.container } : {}),
        image: request.image,
        env: {
            ...settings.env,
            PREVIEW_URL: host.url,
            PR_NUMBER: String(pr.number),
            GIT_SHA: pr.sha,
            GIT_BRANCH: pr.branch,
        },
        tags: tags.filter((t) => t.key !== routing_types/* TAGS */.gp.url && t.key !== routing_types/* TAGS */.gp.launchedAt && t.key !== routing_types/* TAGS */.gp.keepUntil),
    });
    const registered = await deps.aws.ecs.send(new dist_cjs/* RegisterTaskDefinitionCommand */.$Hl(definition));
    const revision = registered.taskDefinition?.taskDefinitionArn ?? '';
    // From here on a task may exist: any error stops it and drops its revision, so a failed launch
    // never leaves a task, a record or a revision behind.
    const launched = {};
    try {
        return await startAndRoute(deps, settings, request, { host, tags, definition, container, revision, mine, started, keepUntil }, launched);
    }
    catch (error) {
        if (launched.taskArn) {
            await deps.aws.ecs
                .send(new dist_cjs/* StopTaskCommand */.PP1({
                cluster: settings.cluster,
                task: launched.taskArn,
                reason: 'ecs-paas: launch failed',
            }))
                .catch(() => undefined);
        }
        await deregister(deps, [revision]);
        return {
            kind: 'failed',
            reason: `the preview could not be launched: ${(0,errors/* errorMessage */.gJ)(error)}`,
            details: [],
        };
    }
}
async function startAndRoute(deps, settings, request, { host, tags, definition, container, revision, mine, started, keepUntil }, launched) {
    const { pr } = request;
    const run = await deps.aws.ecs.send(new dist_cjs/* RunTaskCommand */._eD({
        cluster: settings.cluster,
        taskDefinition: revision,
        launchType: settings.launchType,
        startedBy: routing_types/* STARTED_BY */.mf,
        tags,
        enableECSManagedTags: true,
        networkConfiguration: {
            awsvpcConfiguration: {
                subnets: [...settings.subnets],
                securityGroups: [...settings.securityGroups],
                assignPublicIp: settings.assignPublicIp ? 'ENABLED' : 'DISABLED',
            },
        },
    }));
    const taskArn = run.tasks?.[0]?.taskArn;
    if (taskArn)
        launched.taskArn = taskArn;
    if (!taskArn) {
        await deregister(deps, [revision]);
        const failure = run.failures?.[0];
        return {
            kind: 'failed',
            reason: `ECS did not start the task: ${failure?.reason ?? 'no reason given'}`,
            details: failure?.detail ? [failure.detail] : [],
        };
    }
    deps.log.info(`PR #${pr.number}: started ${taskArn.split('/').pop() ?? ''} for ${pr.sha.slice(0, 7)}`);
    const outcome = await waitForTask(deps.aws.ecs, settings.cluster, taskArn, {
        timeoutMs: deps.startTimeoutMs ?? 10 * 60_000,
        pollMs: deps.pollMs ?? 2_000,
    });
    if (outcome.state !== 'running') {
        await deregister(deps, [revision]);
        const reason = outcome.task?.stoppedReason ?? '';
        if (reason.startsWith(SUPERSEDED)) {
            return { kind: 'discarded', sha: pr.sha, reason: reason.slice('ecs-paas: '.length) };
        }
        const details = outcome.task
            ? await (0,explain_failure/* explainStoppedTasks */.z)(deps.aws, settings.cluster, [outcome.task], definition)
            : [];
        return {
            kind: 'failed',
            reason: outcome.state === 'timed-out'
                ? outcome.reason
                : `the task stopped before it was running: ${reason || 'no reason given'}`,
            details,
        };
    }
    if (request.isCurrentHead && !(await request.isCurrentHead(pr.sha))) {
        await stopOwn(deps, settings.cluster, taskArn, revision, 'a newer commit is the head now');
        return {
            kind: 'discarded',
            sha: pr.sha,
            reason: 'a newer commit became the head while this one started',
        };
    }
    const rivals = (await listPreviewTasks(deps.aws.ecs, settings.cluster)).filter((t) => t.repo === pr.repo && t.pr === pr.number && t.arn !== taskArn);
    const me = (await describePreviewTasks(deps.aws.ecs, settings.cluster, [taskArn]))[0];
    const olderTwin = rivals.find((t) => t.sha === pr.sha && me && byAge(t, me) < 0);
    const newerHead = !request.isCurrentHead && rivals.find((t) => t.sha !== pr.sha && me && byAge(t, me) > 0);
    if (olderTwin || newerHead) {
        const winner = (olderTwin || newerHead);
        await stopOwn(deps, settings.cluster, taskArn, revision, `${winner.sha.slice(0, 7)} (${winner.arn.split('/').pop() ?? ''})`);
        return olderTwin
            ? { kind: 'unchanged', url: host.url, sha: pr.sha, taskArn: olderTwin.arn }
            : {
                kind: 'discarded',
                sha: pr.sha,
                reason: `a launch for ${winner.sha.slice(0, 7)} started after this one`,
            };
    }
    let url;
    let ip;
    try {
        ({ url, ip } = await routeTask(deps, settings, pr, host, outcome.task));
    }
    catch (error) {
        await stopOwn(deps, settings.cluster, taskArn, revision, 'its route could not be created');
        return {
            kind: 'failed',
            reason: `the preview started but could not be routed: ${(0,errors/* errorMessage */.gJ)(error)}`,
            details: [],
        };
    }
    const stopped = await stopTasks(deps, settings.cluster, rivals, pr.sha);
    deps.log.info(`PR #${pr.number}: ${url} → ${ip} (${container})`);
    return {
        kind: mine.length > 0 ? 'replaced' : 'launched',
        url,
        sha: pr.sha,
        taskArn,
        ip,
        image: request.image,
        stopped,
        seconds: (Date.now() - started) / 1_000,
        since: new Date(started),
        ...(keepUntil && { keepUntil }),
    };
}
/** Stops tasks the PR no longer needs and deregisters their preview revisions. */
async function stopTasks(deps, cluster, tasks, sha) {
    const stopped = await stopPreviewTasks(deps, cluster, tasks, `${SUPERSEDED} ${sha.slice(0, 7)}`);
    await deregister(deps, tasks.map((t) => t.task.taskDefinitionArn ?? ''));
    return stopped;
}
async function stopOwn(deps, cluster, taskArn, revision, why) {
    await deps.aws.ecs.send(new dist_cjs/* StopTaskCommand */.PP1({ cluster, task: taskArn, reason: `${SUPERSEDED} ${why}` }));
    await deregister(deps, [revision]);
}
async function deregister(deps, revisions) {
    for (const revision of new Set(revisions.filter(Boolean))) {
        await deps.aws.ecs
            .send(new dist_cjs/* DeregisterTaskDefinitionCommand */.sjB({ taskDefinition: revision }))
            .catch((error) => deps.log.warning(`Could not deregister ${revision}: ${(0,errors/* errorMessage */.gJ)(error)}`));
    }
}
/** Points the PR's host name at a running task; returns the URL and the address it routed to. */
async function routeTask(deps, settings, pr, host, task) {
    const ip = await taskAddress(task, deps.aws, settings.assignPublicIp);
    const target = {
        ...host,
        ip,
        port: settings.routing.port,
        repo: pr.repo,
        pr: pr.number,
        sha: pr.sha,
    };
    const { url } = await deps.router.route(target);
    return { url, ip };
}

;// CONCATENATED MODULE: ./src/core/preview/teardown-preview.ts




/**
 * Removes everything a PR's preview holds: its tasks, its route (record, rule, target group) and
 * its preview revisions. With nothing left it succeeds and changes nothing.
 */
async function teardownPreview(deps, settings, pr, why) {
    const fleet = await listPreviewTasks(deps.aws.ecs, settings.cluster);
    const mine = fleet.filter((t) => t.repo === pr.repo && t.pr === pr.number);
    const stopped = await stopPreviewTasks(deps, settings.cluster, mine, `ecs-paas: ${why}`);
    // The computed name covers a record whose task is already gone (a crash mid-teardown).
    const computed = previewHost(settings.routing, { ...pr, sha: '', author: '', fork: false }, fleet);
    const hostnames = [
        ...new Set([
            computed.hostname,
            ...mine.filter((t) => t.label).map((t) => `${t.label}.${settings.routing.domain}`),
        ]),
    ];
    // Revisions first: once the tasks are stopped nothing else would ever find them again.
    await deregister(deps, mine.map((t) => t.task.taskDefinitionArn ?? ''));
    await deps.router.unroute(hostnames);
    if (stopped.length > 0)
        deps.log.info(`PR #${pr.number}: preview torn down (${why})`);
    return { kind: 'torn-down', stopped, hostnames: stopped.length > 0 ? hostnames : [] };
}

;// CONCATENATED MODULE: ./src/core/report/preview-comment.ts

const preview_comment_short = (sha) => sha.slice(0, 7);
/** The PR comment for a preview result, in words a developer can act on. */
function previewComment(result, context) {
    const lines = [];
    switch (result.kind) {
        case 'launched':
        case 'replaced':
        case 'unchanged':
            lines.push(`### 🚀 Preview ready: ${result.url}`, '', '| | |', '| --- | --- |', `| Commit | \`${preview_comment_short(result.sha)}\` |`, ...(context.image ? [`| Image | \`${context.image}\` |`] : []), ...(context.since ? [`| Since | ${utc(context.since)} |`] : []), ...(context.logsUrl ? [`| Logs | [view](${context.logsUrl}) |`] : []), ...idleRow(context, 'keepUntil' in result ? result.keepUntil : undefined));
            break;
        case 'torn-down':
            lines.push(`### 💤 Preview stopped`, '', stoppedText(context));
            break;
        case 'refused':
            lines.push(`### ⏸️ No preview`, '', result.reason);
            break;
        case 'discarded':
            lines.push(`### ⏭️ Preview skipped for \`${preview_comment_short(result.sha)}\``, '', result.reason);
            break;
        case 'failed':
            lines.push(`### ❌ Preview failed for \`${preview_comment_short(context.sha)}\``, '', result.reason, 
            // Container log lines stay out: a PR comment is public and crashing apps print secrets.
            ...(publicDetails(result.details).length > 0
                ? ['', '```', ...publicDetails(result.details), '```']
                : []), ...(context.logsUrl ? ['', `[Logs](${context.logsUrl})`] : []));
            break;
    }
    if (context.commands?.length) {
        lines.push('', '<details><summary>Commands</summary>', '', ...context.commands.map((c) => `- ${c}`), '', '</details>');
    }
    return lines.join('\n');
}
/** `2026-11-22 10:05 UTC`: minutes are enough for people, and one zone avoids confusion. */
function utc(date) {
    return `${date.toISOString().replace('T', ' ').slice(0, 16)} UTC`;
}
function idleRow(context, keepUntil) {
    if (keepUntil)
        return [`| Idle teardown | paused until ${utc(keepUntil)} (\`/preview keep\`) |`];
    if (context.idleAfterMs === undefined)
        return [];
    if (context.idleAfterMs === null)
        return ['| Idle teardown | off |'];
    const quiet = context.requestsMeasured
        ? 'without requests, pushes, comments or reviews'
        : 'without pushes, comments or reviews (requests are not measured)';
    return [`| Idle teardown | after ${(0,duration/* formatDuration */.a)(context.idleAfterMs)} ${quiet} |`];
}
function stoppedText(context) {
    const what = `The preview for \`${preview_comment_short(context.sha)}\``;
    const stop = context.stopped;
    if (!stop)
        return `${what} was torn down.`;
    switch (stop.kind) {
        case 'idle':
            return (`${what} was stopped because nobody used it: ${stop.requestsMeasured ? 'no requests and ' : ''}` +
                `no pushes, comments or reviews since ${utc(stop.since)} (idle for over ` +
                `${(0,duration/* formatDuration */.a)(stop.idleAfterMs)}). Type \`/deploy\` to bring it back.`);
        case 'closed':
            return `${what} was torn down: ${stop.why}.`;
        case 'stopped':
            return `${what} was torn down: ${stop.why}. Type \`/deploy\` to bring it back.`;
    }
}
/** Stopped reasons and exit codes, without the `| log line` rows explain-failure adds. */
function publicDetails(details) {
    return details.filter((line) => !line.trimStart().startsWith('|'));
}

// EXTERNAL MODULE: ./src/action/actions-logger.ts
var actions_logger = __webpack_require__(2722);
// EXTERNAL MODULE: ./src/action/provide-action-image.ts + 5 modules
var provide_action_image = __webpack_require__(9588);
;// CONCATENATED MODULE: ./src/action/pull-request-event.ts

/**
 * The PR a `pull_request` workflow runs for, from the event file. The head SHA comes from the
 * payload: GITHUB_SHA is the temporary merge commit, which no image is ever tagged with.
 */
async function readPullRequestEvent(env, command) {
    const name = env.GITHUB_EVENT_NAME ?? '';
    if (!['pull_request', 'pull_request_target'].includes(name) || !env.GITHUB_EVENT_PATH) {
        throw new Error(`command '${command}' runs in a pull_request workflow (this run is for '${name || 'unknown'}'); trigger it with 'on: pull_request'`);
    }
    const payload = JSON.parse(await (0,promises_.readFile)(env.GITHUB_EVENT_PATH, 'utf8'));
    const pull = payload.pull_request;
    const base = pull?.base?.repo?.full_name ?? env.GITHUB_REPOSITORY ?? '';
    if (!pull?.number || !pull.head?.sha)
        throw new Error('the pull_request event has no pull request number or head SHA');
    return {
        action: payload.action ?? '',
        pr: {
            repo: base,
            number: pull.number,
            sha: pull.head.sha,
            branch: pull.head.ref ?? '',
            author: pull.user?.login ?? '',
            // A head repository that was deleted also counts as foreign.
            fork: (pull.head.repo?.full_name ?? '') !== base,
        },
    };
}

;// CONCATENATED MODULE: ./src/action/run-preview.ts













/**
 * `preview` and `teardown` in a pull_request workflow: the same engine the App runs, for teams
 * that want previews without installing the App. Throws to fail the step.
 */
async function runPreviewCommand(settings, clients, env) {
    const { pr } = await readPullRequestEvent(env, settings.command);
    const config = parseRepoConfig(await readConfig(settings.configPath), settings.configPath);
    if (!config.preview) {
        throw new Error(`Input 'config': ${settings.configPath} has no 'preview' section; add one to use command '${settings.command}'`);
    }
    const preview = config.preview;
    const github = settings.githubToken ? await octokit(settings.githubToken) : undefined;
    const [owner = '', repo = ''] = pr.repo.split('/');
    const deps = {
        aws: clients,
        router: await createRouter(clients, preview.routing),
        log: actions_logger/* actionsLogger */.M,
        ...pollOverride(env),
    };
    let result;
    let image;
    if (settings.command === 'teardown') {
        result = await teardownPreview(deps, preview, pr, 'pull request closed');
    }
    else if (pr.fork) {
        // Refused before anything is built: building a fork's Dockerfile runs its code with this
        // job's credentials. Fork previews go through the App, where a maintainer approves a SHA.
        result = {
            kind: 'refused',
            reason: preview.forks === 'never'
                ? 'previews of pull requests from forks are disabled (forks: never)'
                : "this pull request comes from a fork: the Action does not build fork code; a maintainer can approve it with the App's /deploy",
        };
    }
    else {
        const repository = settings.ecrRepositoryExplicit
            ? settings.ecrRepository
            : (preview.ecrRepository ?? settings.ecrRepository);
        const provided = await (0,provide_action_image/* provideActionImage */.T)(settings, clients, env, pr.sha, repository);
        image = provided.image;
        core/* setOutput */.uH('image', provided.image);
        core/* setOutput */.uH('digest', provided.digest);
        result = await launchPreview(deps, preview, {
            pr,
            image: provided.image,
            launchedBy: pr.author,
            ...(github
                ? { isCurrentHead: (sha) => isHead(github, { owner, repo }, pr.number, sha) }
                : {}),
        });
    }
    const url = 'url' in result ? result.url : '';
    core/* setOutput */.uH('url', url);
    core/* setOutput */.uH('result', result.kind);
    const body = previewComment(result, {
        sha: pr.sha,
        ...(image ? { image } : {}),
        since: new Date(),
        ...(env.GITHUB_RUN_ID
            ? {
                logsUrl: `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${pr.repo}/actions/runs/${env.GITHUB_RUN_ID}`,
            }
            : {}),
    });
    await core/* summary */.z.addRaw(body).write();
    if (github) {
        try {
            await upsertComment(github, { owner, repo, issueNumber: pr.number }, body);
        }
        catch (error) {
            actions_logger/* actionsLogger */.M.warning(`Could not update the pull request comment: ${(0,errors/* errorMessage */.gJ)(error)}`);
        }
    }
    if (result.kind === 'failed')
        throw new Error(`Preview failed: ${result.reason}`);
    actions_logger/* actionsLogger */.M.info(url
        ? `Preview: ${url} (${result.kind})`
        : `Preview: ${result.kind}${'reason' in result ? ` — ${result.reason}` : ''}`);
}
async function readConfig(path) {
    try {
        return await (0,promises_.readFile)(path, 'utf8');
    }
    catch {
        throw new Error(`Input 'config': cannot read ${path}; check out the repository first (actions/checkout) or set 'config'`);
    }
}
async function octokit(token) {
    const { getOctokit } = await __webpack_require__.e(/* import() */ 413).then(__webpack_require__.bind(__webpack_require__, 2413));
    return getOctokit(token);
}
function pollOverride(env) {
    return env.ECS_PAAS_POLL_MS ? { pollMs: Number(env.ECS_PAAS_POLL_MS) } : {};
}


/***/ }),

/***/ 8822:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   g: () => (/* binding */ pollUntil)
/* harmony export */ });
/** Polls until `probe` returns a value; on timeout throws what `timedOut` makes of the last miss. */
async function pollUntil(probe, options, timedOut) {
    const started = Date.now();
    let delay = options.pollMs ?? 2_000;
    for (;;) {
        const result = await probe();
        if ('done' in result)
            return result.done;
        if (Date.now() - started + delay > options.timeoutMs)
            throw timedOut(result.miss);
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 15_000);
    }
}


/***/ }),

/***/ 1622:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   EZ: () => (/* binding */ tagValue),
/* harmony export */   gp: () => (/* binding */ TAGS),
/* harmony export */   mf: () => (/* binding */ STARTED_BY)
/* harmony export */ });
/** The tag keys every managed resource carries (DESIGN.md, "State"). */
const TAGS = {
    managed: 'ecs-paas:managed',
    repo: 'ecs-paas:repo',
    pr: 'ecs-paas:pr',
    sha: 'ecs-paas:sha',
    subdomain: 'ecs-paas:subdomain',
    launchedBy: 'ecs-paas:launched-by',
    lastActivity: 'ecs-paas:last-activity',
    /** When the launch began (ISO 8601): orders racing launches even where ECS gives no createdAt. */
    launchedAt: 'ecs-paas:launched-at',
    /** The preview's URL, so a fleet listing needs nothing but the task. */
    url: 'ecs-paas:url',
    /** `/preview keep`: no idle teardown before this time (ISO 8601). */
    keepUntil: 'ecs-paas:keep-until',
};
/** The `startedBy` every preview task is started with, so one ListTasks finds them all. */
const STARTED_BY = 'ecs-paas';
/**
 * ECS rejects tag values outside letters, digits, spaces and `_ . : / = + - @` (a bot's login such
 * as `dependabot[bot]` would fail RunTask), and longer than 256 characters.
 */
function tagValue(value) {
    return value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '-').slice(0, 256);
}


/***/ })

};

//# sourceMappingURL=865.index.js.map