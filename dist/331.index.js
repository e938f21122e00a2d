export const id = 331;
export const ids = [331];
export const modules = {

/***/ 1331:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runPreviewCommand: () => (/* binding */ runPreviewCommand)
});

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
/** Who may ship to an environment: readers and triagers cannot push code, so they cannot deploy it. */
const DEPLOY_PERMISSIONS = ['write', 'maintain', 'admin'];
const environment = section({
    cluster: config_fields_text('an ECS cluster name or ARN').optional(),
    services: oneOrMore(config_fields_text('an ECS service name'), 'an ECS service name or a non-empty list of them').optional(),
    workflow: matching(/^[\w.-]+\.ya?ml$/, 'a workflow file name in .github/workflows, such as deploy.yml').optional(),
    permission: schemas/* string */.YjP(expected('write, maintain or admin'))
        .superRefine((value, ctx) => {
        if (DEPLOY_PERMISSIONS.includes(value))
            return;
        ctx.addIssue({
            code: 'custom',
            input: value,
            message: PERMISSION_LEVELS.includes(value)
                ? `${got(value)}; expected write, maintain or admin: ${value} access cannot push code, so it cannot deploy it`
                : `${got(value)}; expected write, maintain or admin`,
        });
    })
        .default('write'),
    'require-checks': schemas/* boolean */.zMY(expected('true or false')).default(true),
    'require-approval': schemas/* boolean */.zMY(expected('true or false')).default(false),
    container: oneOrMore(config_fields_text('a container name'), 'a container name or a non-empty list of them').optional(),
    'task-definition': config_fields_text('a task definition family or ARN').optional(),
}, 'a map with cluster and services, or with workflow')
    .superRefine((entry, ctx) => {
    if (entry.workflow !== undefined) {
        for (const key of ['cluster', 'services', 'container', 'task-definition']) {
            if (entry[key] === undefined)
                continue;
            ctx.addIssue({
                code: 'custom',
                path: [key],
                input: entry[key],
                message: 'not used with workflow: the workflow does the deploy; remove this key',
            });
        }
        return;
    }
    for (const key of ['cluster', 'services']) {
        if (entry[key] !== undefined)
            continue;
        ctx.addIssue({
            code: 'custom',
            path: [key],
            input: undefined,
            message: key === 'cluster'
                ? 'missing; expected an ECS cluster name or ARN (or a workflow: to dispatch instead)'
                : 'missing; expected an ECS service name or a non-empty list of them',
        });
    }
})
    .transform((entry) => {
    const gates = {
        permission: entry.permission,
        requireChecks: entry['require-checks'],
        requireApproval: entry['require-approval'],
    };
    if (entry.workflow !== undefined)
        return { kind: 'workflow', workflow: entry.workflow, ...gates };
    return {
        kind: 'services',
        cluster: entry.cluster ?? '',
        services: entry.services ?? [],
        containers: entry.container ?? [],
        ...(entry['task-definition'] !== undefined && { taskDefinition: entry['task-definition'] }),
        ...gates,
    };
});
/** `environments:`, keyed by the name typed after `/deploy`; a name cannot look like a commit SHA. */
const environmentsSchema = mapOf({
    pattern: /^(?![0-9a-f]{7,40}$)[a-z0-9][a-z0-9-]*$/,
    form: "an environment name of lowercase letters, digits and '-', such as staging, that does not look like a commit SHA",
}, environment, 'a map of environment names to { cluster, services, permission }');

// EXTERNAL MODULE: ./node_modules/zod/v4/core/core.js
var core_core = __webpack_require__(8532);
// EXTERNAL MODULE: ./src/core/duration.ts
var duration = __webpack_require__(8571);
;// CONCATENATED MODULE: ./src/core/preview/log-delivery.ts
/**
 * `preview.logs` in `.github/ecs-paas.yml`: what `/logs` does with a preview's log lines.
 * `comment` edits them into the PR's comment, `link` only says where to read them, `off` answers
 * that `/logs` is off.
 */
const LOG_DELIVERIES = ['comment', 'link', 'off'];
/**
 * Masking only catches the secrets it can recognise (values from ECS `secrets`, odd names and
 * encoded values slip through), so log lines reach a comment only where the comment is as private
 * as the logs: a public repository gets `link` whatever the config says. An unknown visibility
 * counts as public, because a wrong guess the other way posts lines for the whole internet.
 */
function decideLogDelivery(configured, visibility) {
    if (configured === 'off')
        return { delivery: 'off' };
    if (configured === 'link')
        return { delivery: 'link', reason: 'configured' };
    if (visibility === 'private' || visibility === 'internal')
        return { delivery: 'comment' };
    return {
        delivery: 'link',
        reason: configured === 'comment' ? 'public-refused-comment' : 'public',
    };
}
/**
 * The visibility in a `GET /repos/{owner}/{repo}` answer. `visibility` is the precise field
 * (`internal` exists only there); `private` is what older GitHub Enterprise servers send alone.
 * Anything that does not say private clearly is public.
 */
function visibilityOf(repository) {
    const answer = (typeof repository === 'object' && repository !== null ? repository : {});
    if (answer.visibility === 'public')
        return 'public';
    if (answer.visibility === 'private' || answer.visibility === 'internal') {
        // Both fields present and disagreeing is no answer to trust with log lines.
        return answer.private === false ? 'public' : answer.visibility;
    }
    return answer.private === true ? 'private' : 'public';
}

;// CONCATENATED MODULE: ./src/core/preview/preview-identity.ts
/** Parts of the base task definition a preview may opt back into with `preview.inherit`. */
const INHERITABLE = ['task-role', 'secrets', 'environment'];
/**
 * Gives a preview revision its own identity instead of production's. The base definition is
 * production's: its task role can reach production data, its `secrets` and environment values are
 * production credentials, and a preview runs unreviewed (or a fork's) code. So by default every
 * container loses the base's task role, `secrets`, `environment` and `environmentFiles`; the
 * configured role and secrets (on `container`) take their place, and `inherit` brings the base's
 * back. The execution role stays: the code never holds its credentials, and it pulls the image,
 * ships logs and fetches the configured secrets.
 *
 * `env` (config `env` and the preview's own variables) lands in `container` and wins over a
 * secret of the same name.
 */
function withPreviewIdentity(base, container, env, options) {
    const keeps = (part) => options.inherit.includes(part);
    const trusted = !options.fork;
    const taskRoleArn = trusted
        ? (options.taskRoleArn ?? (keeps('task-role') ? base.taskRoleArn : undefined))
        : undefined;
    const executionRoleArn = options.executionRoleArn ?? base.executionRoleArn;
    const { taskRoleArn: _role, executionRoleArn: _execution, ...rest } = base;
    return {
        ...rest,
        ...(taskRoleArn ? { taskRoleArn } : {}),
        ...(executionRoleArn ? { executionRoleArn } : {}),
        containerDefinitions: (base.containerDefinitions ?? []).map((definition) => {
            const mine = definition.name === container;
            const configured = mine && trusted ? options.secrets : {};
            const inherited = trusted && keeps('secrets') ? (definition.secrets ?? []) : [];
            const secrets = new Map(inherited.map((s) => [s.name ?? '', s.valueFrom ?? '']));
            for (const [name, valueFrom] of Object.entries(configured))
                secrets.set(name, valueFrom);
            // Plain environment values often hold credentials too: a fork's code gets none of them.
            const values = trusted && keeps('environment') ? (definition.environment ?? []) : [];
            const environment = new Map(values.map((pair) => [pair.name ?? '', pair.value ?? '']));
            // A configured secret replaces an inherited value; the preview's own env replaces both.
            for (const name of Object.keys(configured))
                environment.delete(name);
            for (const [name, value] of Object.entries(mine ? env : {})) {
                environment.set(name, value);
                secrets.delete(name);
            }
            const { secrets: _secrets, environment: _environment, environmentFiles, ...others } = definition;
            return {
                ...others,
                ...(trusted && keeps('environment') && environmentFiles?.length
                    ? { environmentFiles }
                    : {}),
                ...(environment.size > 0 && {
                    environment: [...environment].map(([name, value]) => ({ name, value })),
                }),
                ...(secrets.size > 0 && {
                    secrets: [...secrets].map(([name, valueFrom]) => ({ name, valueFrom })),
                }),
            };
        }),
    };
}
/** The identity a registered (or about to be registered) preview revision gives its task. */
function identityOf(definition) {
    const role = definition.taskRoleArn ? roleName(definition.taskRoleArn) : undefined;
    const secrets = new Set((definition.containerDefinitions ?? []).flatMap((c) => (c.secrets ?? []).map((s) => s.name ?? '').filter(Boolean)));
    return { ...(role ? { taskRole: role } : {}), secrets: [...secrets].sort() };
}
/** `arn:aws:iam::123456789012:role/team/preview-web` → `preview-web`. */
function roleName(arn) {
    return arn.slice(arn.lastIndexOf('/') + 1);
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
            ...withPreviewIdentity(pinned, container, options.env, options.identity),
            family: previewFamily(base.family ?? ''),
            ...(options.cpu !== undefined && { cpu: options.cpu }),
            ...(options.memory !== undefined && { memory: options.memory }),
            tags: [...options.tags],
        },
    };
}
/** Variables every preview gets from ecs-paas; they win over config `env` and secrets. */
const PREVIEW_VARIABLES = ['PREVIEW_URL', 'PR_NUMBER', 'GIT_SHA', 'GIT_BRANCH'];
function previewFamily(base) {
    return base.endsWith('-preview') ? base : `${base}-preview`;
}

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
const SECRET_ARN = /^arn:aws(-[a-z]+)*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/;
const USER_POOL_ARN = /^arn:aws(-[a-z]+)*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[\w-]+$/;
const DOMAIN_OR_PREFIX = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
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
    auth: albOnly('auth'),
}, 'a map with domain and hosted-zone-id');
const secretArn = (what) => matching(SECRET_ARN, `the ARN of a Secrets Manager secret holding ${what} (arn:aws:secretsmanager:<region>:<account>:secret:<name>)`);
/** The load balancer sends users to these and calls them itself: AWS accepts only https:// URLs. */
const httpsUrl = (what) => config_fields_text(`the https:// URL of ${what}`).refine((value) => {
    try {
        return new URL(value).protocol === 'https:';
    }
    catch {
        return false;
    }
});
const oidcAuth = section({
    issuer: httpsUrl("the provider's issuer"),
    'authorization-endpoint': httpsUrl("the provider's authorization endpoint"),
    'token-endpoint': httpsUrl("the provider's token endpoint"),
    'user-info-endpoint': httpsUrl("the provider's user info endpoint"),
    'client-id': config_fields_text('the client ID registered with the provider'),
    'client-secret': secretArn('the client secret'),
}, 'a map with issuer, authorization-endpoint, token-endpoint, user-info-endpoint, client-id and client-secret');
const cognitoAuth = section({
    'user-pool-arn': matching(USER_POOL_ARN, 'the ARN of a Cognito user pool (arn:aws:cognito-idp:<region>:<account>:userpool/<id>)'),
    'user-pool-client-id': matching(/^[\w+]+$/, 'the ID of an app client of the user pool'),
    'user-pool-domain': schemas/* string */.YjP(expected("the user pool's domain prefix or custom domain, such as acme-previews"))
        .trim()
        .toLowerCase()
        .regex(DOMAIN_OR_PREFIX),
}, 'a map with user-pool-arn, user-pool-client-id and user-pool-domain');
const AUTH_FORM = 'a map with oidc or cognito, and optionally bypass-secret';
const auth = section({
    oidc: oidcAuth.optional(),
    cognito: cognitoAuth.optional(),
    'bypass-secret': secretArn('the value of the bypass header').optional(),
}, AUTH_FORM).transform((value, ctx) => {
    const { oidc, cognito } = value;
    const bypass = value['bypass-secret'] ? { bypassSecretArn: value['bypass-secret'] } : {};
    if (oidc && !cognito) {
        return {
            kind: 'oidc',
            issuer: oidc.issuer,
            authorizationEndpoint: oidc['authorization-endpoint'],
            tokenEndpoint: oidc['token-endpoint'],
            userInfoEndpoint: oidc['user-info-endpoint'],
            clientId: oidc['client-id'],
            clientSecretArn: oidc['client-secret'],
            ...bypass,
        };
    }
    if (cognito && !oidc) {
        return {
            kind: 'cognito',
            userPoolArn: cognito['user-pool-arn'],
            userPoolClientId: cognito['user-pool-client-id'],
            userPoolDomain: cognito['user-pool-domain'],
            ...bypass,
        };
    }
    // Both would mean two logins in a row, neither no login at all.
    ctx.addIssue({
        code: 'custom',
        input: value,
        message: `${oidc ? 'both oidc and cognito' : 'neither oidc nor cognito'}; expected exactly one of them`,
    });
    return core_core/* NEVER */.tm;
});
const albRouting = section({
    mode: schemas/* literal */.euz('alb', expected(MODE_FORM)),
    ...common,
    'listener-arn': matching(LISTENER_ARN, 'the ARN of an HTTPS listener of an application load balancer (arn:aws:elasticloadbalancing:<region>:<account>:listener/app/...)'),
    'vpc-id': matching(/^vpc-[0-9a-z]+$/, 'a VPC ID such as vpc-0abc1234'),
    'health-check-path': matching(/^\/\S*$/, "a URL path starting with '/'").default('/'),
    auth: auth.optional(),
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
            ...(routing.auth && { auth: routing.auth }),
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
const ENV_NAME = {
    pattern: /^[A-Za-z_][A-Za-z0-9_]*$/,
    form: "an environment variable name (letters, digits and '_', not starting with a digit)",
};
const env = mapOf(ENV_NAME, schemas/* union */.KCZ([schemas/* string */.YjP(), schemas/* number */.aig(), schemas/* boolean */.zMY()], expected('a string, number or boolean'))
    .transform(String), 'a map of environment variable names to values');
const ARN = 'arn:aws(-[a-z]+)*';
const roleArn = (example) => matching(new RegExp(`^${ARN}:iam::\\d{12}:role/([\\w+=,.@-]+/)*[\\w+=,.@-]{1,64}$`), `an IAM role ARN such as arn:aws:iam::123456789012:role/${example}`);
const SECRET_FORM = 'an SSM parameter name or ARN, or a Secrets Manager secret ARN, such as arn:aws:secretsmanager:us-east-1:123456789012:secret:preview/db-AbCdEf';
const SECRET_SOURCE = new RegExp([
    `${ARN}:ssm:[a-z0-9-]+:\\d{12}:parameter/[\\w./-]+`,
    // A secret, optionally narrowed to `:json-key:version-stage:version-id`.
    `${ARN}:secretsmanager:[a-z0-9-]+:\\d{12}:secret:[\\w/+=.@-]+(:[\\w.-]*){0,3}`,
    // A parameter of the task's own region, by name.
    `/?[\\w.-]+(/[\\w.-]+)*`,
]
    .map((form) => `^(${form})$`)
    .join('|'));
const secrets = mapOf(ENV_NAME, matching(SECRET_SOURCE, SECRET_FORM), 'a map of environment variable names to SSM parameters or Secrets Manager secret ARNs');
const INHERIT_FORM = 'a list of task-role, secrets and environment';
const inherit = schemas/* preprocess */.vkY((value) => (typeof value === 'string' ? [value] : value), schemas/* array */.YOg(schemas/* enum */.k5n(INHERITABLE, expected('task-role, secrets or environment')), expected(INHERIT_FORM)))
    .optional()
    .transform((list) => [...new Set(list ?? [])]);
/** Task-level size: what ECS accepts, as the string it stores (`cpu: 512` or `cpu: 1 vCPU`). */
const size = (pattern, form) => schemas/* union */.KCZ([schemas/* number */.aig(), schemas/* string */.YjP()], expected(form))
    .transform((value) => String(value))
    .pipe(matching(pattern, form));
const capacityProvider = section({
    'capacity-provider': matching(/^[A-Za-z0-9_-]{1,255}$/, 'a capacity provider name such as FARGATE_SPOT'),
    weight: integer(0, 1000, 'an integer from 0 to 1000').default(1),
    base: integer(0, 100_000, 'an integer from 0 to 100000').default(0),
}, 'a map with capacity-provider, weight and base').transform((item) => ({
    capacityProvider: item['capacity-provider'],
    weight: item.weight,
    base: item.base,
}));
const STRATEGY_FORM = 'a list of maps with capacity-provider, weight and base';
const capacityProviderStrategy = schemas/* array */.YOg(capacityProvider, expected(STRATEGY_FORM))
    .min(1)
    .superRefine((items, ctx) => {
    if (items.length === 0)
        return;
    const problem = items.filter((item) => item.base > 0).length > 1
        ? 'more than one provider with a base'
        : items.every((item) => item.weight === 0)
            ? 'every weight is 0'
            : new Set(items.map((item) => item.capacityProvider)).size < items.length
                ? 'a provider named twice'
                : undefined;
    if (problem) {
        ctx.addIssue({
            code: 'custom',
            input: items,
            message: `${problem}; expected ${STRATEGY_FORM}, each provider once, at most one with a base and at least one weight above 0`,
        });
    }
});
/** `preview:`; the whole section is optional, its absence meaning previews are off. */
const previewSchema = section({
    cluster: config_fields_text('an ECS cluster name or ARN'),
    'task-definition': matching(/^[A-Za-z0-9_-]{1,255}$/, "a task definition family name (letters, digits, '-' and '_'), without a revision"),
    container: config_fields_text('the name of a container in the task definition').optional(),
    'ecr-repository': matching(/^([a-z0-9]+([._-][a-z0-9]+)*\/)*[a-z0-9]+([._-][a-z0-9]+)*$/, "an ECR repository name such as 'web' or 'team/web'").optional(),
    'launch-type': schemas/* enum */.k5n(['FARGATE', 'EC2', 'EXTERNAL'], expected('FARGATE, EC2 or EXTERNAL'))
        .optional(),
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
    logs: schemas/* enum */.k5n(LOG_DELIVERIES, expected('comment, link or off')).optional(),
    'task-role-arn': roleArn('preview-web').optional(),
    'execution-role-arn': roleArn('ecsTaskExecutionRole').optional(),
    secrets: secrets.default({}),
    inherit,
    cpu: size(/^(\d+|\d+(\.\d+)?\s*vCPU)$/i, 'CPU units such as 256, 512 or 1024, or 1 vCPU').optional(),
    memory: size(/^(\d+|\d+(\.\d+)?\s*GB)$/i, 'memory in MiB such as 512 or 2048, or 2 GB').optional(),
    'capacity-provider-strategy': capacityProviderStrategy.optional(),
}, 'a map with cluster, task-definition, subnets and routing')
    .superRefine((preview, ctx) => {
    for (const name of Object.keys(preview.secrets)) {
        const clash = name in preview.env
            ? 'also set in env'
            : PREVIEW_VARIABLES.includes(name)
                ? 'set by ecs-paas for every preview'
                : undefined;
        if (clash) {
            ctx.addIssue({
                code: 'custom',
                path: ['secrets', name],
                input: name,
                message: `${clash}; expected a variable name not in env and not one of ${PREVIEW_VARIABLES.join(', ')}`,
            });
        }
    }
    if (preview['launch-type'] !== undefined &&
        preview['capacity-provider-strategy'] !== undefined) {
        ctx.addIssue({
            code: 'custom',
            path: ['capacity-provider-strategy'],
            input: preview['capacity-provider-strategy'],
            message: 'ECS takes a launch type or a capacity provider strategy, not both; expected launch-type or capacity-provider-strategy',
        });
    }
})
    .transform((preview) => ({
    cluster: preview.cluster,
    taskDefinition: preview['task-definition'],
    ...(preview.container !== undefined && { container: preview.container }),
    ...(preview['ecr-repository'] !== undefined && { ecrRepository: preview['ecr-repository'] }),
    launchType: preview['launch-type'] ?? 'FARGATE',
    subnets: preview.subnets,
    securityGroups: preview['security-groups'],
    assignPublicIp: preview['assign-public-ip'],
    routing: preview.routing,
    env: preview.env,
    maxPreviews: preview['max-previews'],
    forks: preview.forks,
    idleAfterMs: preview['idle-after'],
    ...(preview.logs !== undefined && { logs: preview.logs }),
    ...(preview['task-role-arn'] !== undefined && { taskRoleArn: preview['task-role-arn'] }),
    ...(preview['execution-role-arn'] !== undefined && {
        executionRoleArn: preview['execution-role-arn'],
    }),
    secrets: preview.secrets,
    inherit: preview.inherit,
    ...(preview.cpu !== undefined && { cpu: preview.cpu }),
    ...(preview.memory !== undefined && { memory: preview.memory }),
    ...(preview['capacity-provider-strategy'] !== undefined && {
        capacityProviderStrategy: preview['capacity-provider-strategy'],
    }),
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

;// CONCATENATED MODULE: ./src/core/report/public-text.ts
/**
 * What may be posted where anyone can read it (a public repository's comments): ARNs, AWS account
 * ids and IAM role names say where to aim, so they are replaced by words. The App's logs keep the
 * detail. Applied at the one place comments are written, so no caller can forget it.
 */
function publicText(text) {
    return (text
        // arn:aws:iam::123456789012:role/prod-web → [AWS resource]
        .replace(/\barn:aws[a-z-]*:[^\s`'"()<>[\]]*/g, '[AWS resource]')
        // an ECR host or any other 12-digit account id standing alone
        .replace(/(?<![\w.-])\d{12}(?![\w-])/g, '<account>')
        // role/name or user/name left after an ARN was split across text
        .replace(/(?<![\w/])(role|user|assumed-role)\/[\w+=,.@/-]+/g, '$1/[hidden]'));
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
    const text = publicText(typeof body === 'string' ? body : body(existing?.body));
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
/**
 * The router for the configured mode; each mode's module is loaded only when it is used. An alb
 * router also has `preflight()`: a launch asks it first, so a listener without HTTPS (or without
 * a certificate for the domain) refuses the launch before anything runs.
 */
async function createRouter(aws, routing) {
    if (routing.mode === 'alb') {
        const [{ createAlbRouter }, { albServiceClients }] = await Promise.all([
            Promise.all(/* import() */[__webpack_require__.e(586), __webpack_require__.e(490), __webpack_require__.e(994), __webpack_require__.e(459)]).then(__webpack_require__.bind(__webpack_require__, 8459)),
            __webpack_require__.e(/* import() */ 350).then(__webpack_require__.bind(__webpack_require__, 5350)),
        ]);
        const elbv2 = await aws.elbv2();
        return createAlbRouter({
            elbv2,
            route53: await aws.route53(),
            ...(await albServiceClients(elbv2, routing.auth !== undefined)),
        }, routing);
    }
    const { createDnsRouter } = await __webpack_require__.e(/* import() */ 621).then(__webpack_require__.bind(__webpack_require__, 621));
    return createDnsRouter(await aws.route53(), routing);
}

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-ecs/dist-cjs/index.js
var dist_cjs = __webpack_require__(212);
// EXTERNAL MODULE: ./src/core/deploy/explain-failure.ts + 2 modules
var explain_failure = __webpack_require__(3558);
// EXTERNAL MODULE: ./src/core/deploy/load-task-definition.ts
var load_task_definition = __webpack_require__(8627);
// EXTERNAL MODULE: ./src/core/preview/routing-types.ts
var routing_types = __webpack_require__(1622);
;// CONCATENATED MODULE: ./src/core/preview/tagged-routing.ts

/** The tags that say where a preview's route lives; every preview task carries them. */
function routingTags(routing) {
    return {
        [routing_types/* TAGS */.gp.routing]: routing.mode,
        [routing_types/* TAGS */.gp.zone]: routing.hostedZoneId,
        [routing_types/* TAGS */.gp.domain]: routing.domain.toLowerCase(),
        ...(routing.mode === 'alb' && {
            [routing_types/* TAGS */.gp.listener]: routing.listenerArn,
            [routing_types/* TAGS */.gp.vpc]: routing.vpcId,
        }),
    };
}
/**
 * The routing a task's tags describe, complete enough to find and remove its route (not to make
 * one: port, label template and health check are the config's business). Undefined for a task
 * launched before these tags existed, or whose tags were edited into something unusable.
 */
function routingFromTags(tags) {
    const zone = tags.get(routing_types/* TAGS */.gp.zone);
    const domain = tags.get(routing_types/* TAGS */.gp.domain);
    if (!zone || !domain)
        return undefined;
    const common = { hostedZoneId: zone, domain, port: 80, subdomain: 'pr-{number}-{repo}' };
    const mode = tags.get(routing_types/* TAGS */.gp.routing);
    if (mode === 'dns')
        return { mode, ...common };
    const listenerArn = tags.get(routing_types/* TAGS */.gp.listener);
    const vpcId = tags.get(routing_types/* TAGS */.gp.vpc);
    if (mode === 'alb' && listenerArn && vpcId) {
        return { mode, ...common, listenerArn, vpcId, healthCheckPath: '/' };
    }
    return undefined;
}
/**
 * One key per place routes live: routes found under the same key are removed by one router, in
 * one batch per zone. The config's routing and a task's tagged one share a key when they name the
 * same place, whatever port or label template the config has.
 */
function routingKey(routing) {
    return JSON.stringify([
        routing.mode,
        routing.hostedZoneId,
        routing.domain.toLowerCase(),
        routing.mode === 'alb' ? [routing.listenerArn, routing.vpcId] : [],
    ]);
}

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
            const preview = toPreviewTask(task, cluster);
            if (preview)
                result.push(preview);
        }
    }
    return result;
}
function toPreviewTask(task, cluster) {
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
    const routing = routingFromTags(tags);
    return {
        task,
        arn: task.taskArn,
        cluster,
        repo,
        pr,
        sha: tags.get(routing_types/* TAGS */.gp.sha) ?? '',
        label: tags.get(routing_types/* TAGS */.gp.subdomain) ?? '',
        ...(url ? { url } : {}),
        ...(launchedBy ? { launchedBy } : {}),
        ...(lastActivity && { lastActivity }),
        ...(launchedAt && { launchedAt }),
        ...(keepUntil && { keepUntil }),
        ...(routing && { routing }),
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
        const identity = await servingIdentity(deps, current);
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
            ...(identity && { identity }),
            access: previewAccess(settings),
        };
    }
    const others = new Set(fleet.filter((t) => t.repo === pr.repo && t.pr !== pr.number).map((t) => t.pr));
    if (mine.length === 0 && others.size >= settings.maxPreviews) {
        return {
            kind: 'refused',
            reason: `${pr.repo} already has ${others.size} previews running (max-previews: ${settings.maxPreviews}); close or stop one first`,
        };
    }
    // Before any revision or task exists: a route that cannot be made as configured (an alb
    // listener without HTTPS or a certificate for *.<domain>, an unusable routing.auth secret).
    let unready;
    try {
        unready = await deps.router.preflight?.();
    }
    catch (error) {
        return {
            kind: 'failed',
            reason: `the preview's route could not be checked: ${(0,errors/* publicReason */.Ej)(error, deps.log)}`,
            details: [],
        };
    }
    if (unready !== undefined)
        return { kind: 'refused', reason: unready };
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
        ...routingTags(settings.routing),
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
        identity: {
            ...(settings.taskRoleArn !== undefined && { taskRoleArn: settings.taskRoleArn }),
            ...(settings.executionRoleArn !== undefined && {
                executionRoleArn: settings.executionRoleArn,
            }),
            secrets: settings.secrets ?? {},
            inherit: settings.inherit ?? [],
            fork: pr.fork,
        },
        ...(settings.cpu !== undefined && { cpu: settings.cpu }),
        ...(settings.memory !== undefined && { memory: settings.memory }),
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
            reason: `the preview could not be launched: ${(0,errors/* publicReason */.Ej)(error, deps.log)}`,
            details: [],
        };
    }
}
async function startAndRoute(deps, settings, request, { host, tags, definition, container, revision, mine, started, keepUntil }, launched) {
    const { pr } = request;
    const run = await deps.aws.ecs.send(new dist_cjs/* RunTaskCommand */._eD({
        cluster: settings.cluster,
        taskDefinition: revision,
        // ECS takes one or the other: a strategy (FARGATE_SPOT) replaces the launch type.
        ...(settings.capacityProviderStrategy?.length
            ? {
                capacityProviderStrategy: settings.capacityProviderStrategy.map((item) => ({
                    ...item,
                })),
            }
            : { launchType: settings.launchType }),
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
            ? await (0,explain_failure/* explainStoppedTasks */.z)(deps.aws, settings.cluster, [outcome.task], definition, deps.log)
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
        const identity = olderTwin && (await servingIdentity(deps, olderTwin));
        return olderTwin
            ? {
                kind: 'unchanged',
                url: host.url,
                sha: pr.sha,
                taskArn: olderTwin.arn,
                ...(identity && { identity }),
                access: previewAccess(settings),
            }
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
            reason: `the preview started but could not be routed: ${(0,errors/* publicReason */.Ej)(error, deps.log)}`,
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
        identity: identityOf(definition),
        access: previewAccess(settings),
    };
}
/** What the task already serving a PR runs as, read from its revision; undefined if unreadable. */
async function servingIdentity(deps, task) {
    const revision = task.task.taskDefinitionArn;
    if (!revision)
        return undefined;
    try {
        return identityOf((await (0,load_task_definition/* describeTaskDefinition */.o)(deps.aws.ecs, revision)).input);
    }
    catch (error) {
        deps.log.warning(`Could not read what ${revision} runs as: ${(0,errors/* errorMessage */.gJ)(error)}`);
        return undefined;
    }
}
function previewAccess(settings) {
    return settings.routing.mode === 'dns' ? 'open-http' : 'https';
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

// EXTERNAL MODULE: ./src/core/preview/router.ts
var router = __webpack_require__(979);
;// CONCATENATED MODULE: ./src/core/preview/teardown-preview.ts








/**
 * Removes everything a PR's preview holds: its tasks, its route (record, rule, target group) and
 * its preview revisions. The tasks are found by their tags in every cluster of the scope and the
 * config's, and each route is removed where its task's tags say it lives, so a preview outlives
 * no config change: a deleted, broken or moved config still tears down what the old one made.
 * `settings` is the config as it is now, or undefined when there is none. With nothing left it
 * succeeds and changes nothing.
 */
async function teardownPreview(deps, settings, pr, why, scope = {}) {
    const configured = settings?.cluster;
    const fleet = configured ? await listPreviewTasks(deps.aws.ecs, configured) : [];
    const mine = fleet.filter((t) => isOf(t, pr));
    for (const cluster of new Set(scope.clusters ?? [])) {
        if (cluster === configured)
            continue;
        try {
            mine.push(...(await listPreviewTasks(deps.aws.ecs, cluster)).filter((t) => isOf(t, pr)));
        }
        catch (error) {
            // Another cluster may be out of this identity's reach; the sweep looks there again.
            deps.log.warning(`PR #${pr.number}: ${(0,errors/* errorMessage */.gJ)(error)}`);
        }
    }
    const stopped = [];
    for (const cluster of new Set(mine.map((t) => t.cluster))) {
        const here = mine.filter((t) => t.cluster === cluster);
        stopped.push(...(await stopPreviewTasks(deps, cluster, here, `ecs-paas: ${why}`)));
    }
    // Revisions first: once the tasks are stopped nothing else would ever find them again.
    await deregister(deps, mine.map((t) => t.task.taskDefinitionArn ?? ''));
    const routes = new Map();
    const add = (routing, hostname) => {
        const key = routingKey(routing);
        const entry = routes.get(key) ?? { routing, hostnames: new Set() };
        entry.hostnames.add((0,router/* hostKey */._9)(hostname));
        routes.set(key, entry);
    };
    if (settings) {
        // The computed name covers a record whose task is already gone (a crash mid-teardown).
        const computed = previewHost(settings.routing, { ...pr, sha: '', author: '', fork: false }, fleet);
        add(settings.routing, computed.hostname);
    }
    for (const task of mine) {
        const routing = task.routing ?? settings?.routing;
        if (task.label && routing)
            add(routing, `${task.label}.${routing.domain}`);
    }
    // Only names this PR owns go: another repository's preview may hold the same name.
    const owner = { repo: pr.repo, pr: pr.number };
    const hostnames = [];
    for (const { routing, hostnames: names } of routes.values()) {
        const router = settings && deps.router && routingKey(routing) === routingKey(settings.routing)
            ? deps.router
            : await (scope.routerFor ?? ((r) => createRouter(deps.aws, r)))(routing);
        const list = [...names];
        await router.unroute(list, new Map(list.map((h) => [h, owner])));
        hostnames.push(...list);
    }
    if (stopped.length > 0)
        deps.log.info(`PR #${pr.number}: preview torn down (${why})`);
    return { kind: 'torn-down', stopped, hostnames: stopped.length > 0 ? hostnames : [] };
}
/** Tags name the repository as GitHub spelled it at launch; GitHub names are case-insensitive. */
function isOf(task, pr) {
    return task.pr === pr.number && task.repo.toLowerCase() === pr.repo.toLowerCase();
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
            lines.push(`### 🚀 Preview ready: ${result.url}`, '', '| | |', '| --- | --- |', `| Commit | \`${preview_comment_short(result.sha)}\` |`, ...(context.image ? [`| Image | \`${context.image}\` |`] : []), ...(context.since ? [`| Since | ${utc(context.since)} |`] : []), ...(context.logsUrl ? [`| Logs | [view](${context.logsUrl}) |`] : []), ...identityRows(result.identity), ...(result.access === 'open-http'
                ? ['| Access | plain HTTP, no login: anyone who can reach this name can open it |']
                : []), ...idleRow(context, 'keepUntil' in result ? result.keepUntil : undefined));
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
/**
 * Which role and secrets the preview's code runs with, so a reviewer sees what unmerged code can
 * reach. Names only: a comment may be public, and ARNs say where to aim.
 */
function identityRows(identity) {
    if (!identity)
        return [];
    const code = (name) => `\`${name.replace(/[^\w+=,.@-]/g, '')}\``;
    return [
        `| Task role | ${identity.taskRole ? code(identity.taskRole) : 'none'} |`,
        `| Secrets | ${identity.secrets.length > 0 ? identity.secrets.map(code).join(', ') : 'none'} |`,
    ];
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
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
;// CONCATENATED MODULE: ./src/action/base-config.ts



/**
 * The repository config as the pull request's BASE branch has it, read through the API. The
 * checkout holds the PR's own version, and a PR must not choose the cluster, role or routing of
 * its preview before that change is merged. The checkout's copy is used only when the API cannot
 * answer on a `pull_request` event from this repository: whoever pushed that branch can change
 * the workflow itself, so its copy grants them nothing new.
 */
async function readBaseConfig(source, event) {
    const path = repositoryPath(source.path);
    const [owner = '', repo = ''] = event.pr.repo.split('/');
    const fallback = event.event === 'pull_request' && !event.pr.fork;
    let problem;
    if (!source.github) {
        problem = "input 'github-token' is empty";
    }
    else if (!event.baseRef) {
        problem = 'the event names no base branch';
    }
    else {
        try {
            const text = await fetchFile(source.github, { owner, repo, path, ref: event.baseRef });
            return { text, from: `${path} on ${event.baseRef}` };
        }
        catch (error) {
            problem = (0,errors/* errorMessage */.gJ)(error);
        }
    }
    const where = `${path} from the base branch ${event.baseRef || '(unknown)'}`;
    if (!fallback) {
        throw new Error(`Input 'config': cannot read ${where} (${problem}); on a ${event.event} event${event.pr.fork ? ' from a fork' : ''} the pull request's own copy is not trusted. Give the job 'contents: read' and a 'github-token', and merge the config into the base branch.`);
    }
    source.log.info(`Could not read ${where} (${problem}); using the checkout's copy, as this pull request comes from this repository`);
    try {
        return { text: await (0,promises_.readFile)(source.path, 'utf8'), from: `${source.path} in the checkout` };
    }
    catch {
        throw new Error(`Input 'config': cannot read ${source.path}; check out the repository first (actions/checkout) or set 'config'`);
    }
}
/** `config` as a path inside the repository, the form the contents API takes. */
function repositoryPath(input) {
    const path = external_node_path_.posix.normalize(input.replace(/\\/g, '/')).replace(/^\.\//, '');
    if (external_node_path_.posix.isAbsolute(path) || path === '..' || path.startsWith('../')) {
        throw new errors/* InputError */.dz('config', `'${input}' is not a path inside the repository, such as .github/ecs-paas.yml`);
    }
    return path;
}
async function fetchFile(github, file) {
    const { data } = await github.request('GET /repos/{owner}/{repo}/contents/{path}', file);
    const content = data;
    if (Array.isArray(data) || content.type !== 'file')
        throw new Error('it is not a file');
    // Files over 1 MB come back without content (encoding "none"); no config is that large.
    if (content.encoding !== 'base64' || content.content === undefined) {
        throw new Error(`GitHub sent it with encoding '${content.encoding ?? 'none'}'`);
    }
    return Buffer.from(content.content, 'base64').toString('utf8');
}

// EXTERNAL MODULE: ./src/core/process.ts
var process = __webpack_require__(9978);
;// CONCATENATED MODULE: ./src/action/checkout-head.ts



const CHECKOUT_HINT = "check out the pull request's head first: actions/checkout with 'ref: ${{ github.event.pull_request.head.sha }}'";
/**
 * Fails unless the build context is checked out at `sha`. On pull_request events the default
 * checkout is the temporary merge commit (GITHUB_SHA), whose tree is neither the PR's head nor any
 * commit the image could be tagged with. The Action does not re-check out the commit itself: that
 * would change the workspace under the job's other steps (which then tested a different tree than
 * the one previewed) and needs history and credentials a shallow checkout may not keep.
 */
async function assertCheckoutAt(context, sha, env) {
    let checkedOut;
    try {
        checkedOut = (await (0,process/* run */.e)('git', ['rev-parse', 'HEAD'], { cwd: (0,external_node_path_.resolve)(context), env })).trim();
    }
    catch (error) {
        throw new Error(`cannot tell which commit the build context '${context}' holds (${(0,errors/* errorMessage */.gJ)(error).split('\n').pop() ?? ''}); ${CHECKOUT_HINT}`, { cause: error });
    }
    if (checkedOut !== sha) {
        throw new Error(`the build context '${context}' is at commit ${checkedOut.slice(0, 12)}, not the pull request's head ${sha.slice(0, 12)} (the default checkout of a pull_request event is a temporary merge commit); ${CHECKOUT_HINT}`);
    }
}

// EXTERNAL MODULE: ./src/action/provide-action-image.ts + 4 modules
var provide_action_image = __webpack_require__(4209);
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
        event: name,
        action: payload.action ?? '',
        baseRef: pull.base?.ref ?? '',
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

// EXTERNAL MODULE: ./src/core/github/request-timeout.ts
var request_timeout = __webpack_require__(3740);
;// CONCATENATED MODULE: ./src/action/run-preview.ts















/**
 * `preview` and `teardown` in a pull_request workflow: the same engine the App runs, for teams
 * that want previews without installing the App. Throws to fail the step.
 */
async function runPreviewCommand(settings, clients, env, logins) {
    const event = await readPullRequestEvent(env, settings.command);
    const { pr } = event;
    const github = settings.githubToken ? await octokit(settings.githubToken) : undefined;
    const configFile = await readBaseConfig({ path: settings.configPath, github, log: actions_logger/* actionsLogger */.M }, event);
    actions_logger/* actionsLogger */.M.info(`Config: ${configFile.from}`);
    const config = parseRepoConfig(configFile.text, settings.configPath);
    if (!config.preview) {
        throw new Error(`Input 'config': ${configFile.from} has no 'preview' section; add one to use command '${settings.command}'`);
    }
    const preview = config.preview;
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
        // What is built must be the commit the image is tagged with, whatever the checkout holds.
        if (!settings.image)
            await assertCheckoutAt(settings.build.context, pr.sha, env);
        const provided = await (0,provide_action_image/* provideActionImage */.T)(settings, clients, env, { sha: pr.sha, repository, refName: pr.branch }, logins);
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
async function octokit(token) {
    const { getOctokit } = await __webpack_require__.e(/* import() */ 413).then(__webpack_require__.bind(__webpack_require__, 2413));
    return getOctokit(token, (0,request_timeout/* githubRequestOptions */.jm)());
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

/***/ 979:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Ar: () => (/* binding */ findARecord),
/* harmony export */   O1: () => (/* binding */ listARecords),
/* harmony export */   VI: () => (/* binding */ listRecords),
/* harmony export */   _9: () => (/* binding */ hostKey),
/* harmony export */   g3: () => (/* reexport safe */ _poll_js__WEBPACK_IMPORTED_MODULE_1__.g),
/* harmony export */   nJ: () => (/* binding */ changeRecords),
/* harmony export */   pV: () => (/* binding */ checkUnder),
/* harmony export */   zR: () => (/* binding */ deleteARecords)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_route_53__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8621);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(4296);
/* harmony import */ var _poll_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8822);




/** Route 53 answers with a trailing dot and DNS is case-insensitive: compare names in one form. */
function hostKey(name) {
    return name.toLowerCase().replace(/\.$/, '');
}
/** Refuses names outside the domain: the zone may hold records that are not ours to touch. */
function checkUnder(domain, hostname) {
    const key = hostKey(hostname);
    if (!key.endsWith(`.${hostKey(domain)}`)) {
        throw new Error(`Host name ${hostname} is not under the preview domain ${domain}`);
    }
    return key;
}
/** The A record Route 53 holds for a name, if any, read with one call from its place in the zone. */
async function findARecord(route53, zoneId, hostname) {
    try {
        const { ResourceRecordSets = [] } = await route53.send(new _aws_sdk_client_route_53__WEBPACK_IMPORTED_MODULE_2__.ListResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            StartRecordName: hostname,
            StartRecordType: 'A',
            MaxItems: 1,
        }));
        const [record] = ResourceRecordSets;
        return record?.Type === 'A' && hostKey(record.Name ?? '') === hostKey(hostname)
            ? record
            : undefined;
    }
    catch (error) {
        throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .withContext */ .eQ)(`Could not read DNS record ${hostname}`, error);
    }
}
/** Every A record in the zone, all pages. */
function listARecords(route53, zoneId) {
    return listRecords(route53, zoneId, ['A']);
}
/** Every record of these types in the zone, all pages. */
async function listRecords(route53, zoneId, types) {
    const records = [];
    let next = { HostedZoneId: zoneId };
    try {
        while (next) {
            const page = await route53.send(new _aws_sdk_client_route_53__WEBPACK_IMPORTED_MODULE_2__.ListResourceRecordSetsCommand(next));
            records.push(...(page.ResourceRecordSets ?? []).filter((r) => types.includes(r.Type ?? '')));
            next = page.IsTruncated
                ? {
                    HostedZoneId: zoneId,
                    ...(page.NextRecordName && { StartRecordName: page.NextRecordName }),
                    ...(page.NextRecordType && { StartRecordType: page.NextRecordType }),
                    ...(page.NextRecordIdentifier && { StartRecordIdentifier: page.NextRecordIdentifier }),
                }
                : undefined;
        }
    }
    catch (error) {
        throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .withContext */ .eQ)(`Could not list DNS records of hosted zone ${zoneId}`, error);
    }
    return records;
}
/** Route 53 takes up to about a minute to serve a change everywhere. */
const SYNC_TIMEOUT_MS = 180_000;
/** Applies one change batch and waits until Route 53 serves it everywhere (INSYNC). */
async function changeRecords(route53, zoneId, changes, context, pollMs) {
    try {
        const { ChangeInfo } = await route53.send(new _aws_sdk_client_route_53__WEBPACK_IMPORTED_MODULE_2__.ChangeResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            ChangeBatch: { Changes: changes },
        }));
        if (!ChangeInfo?.Id || ChangeInfo.Status === 'INSYNC')
            return;
        const id = ChangeInfo.Id;
        await (0,_poll_js__WEBPACK_IMPORTED_MODULE_1__/* .pollUntil */ .g)(async () => {
            const { ChangeInfo: info } = await route53.send(new _aws_sdk_client_route_53__WEBPACK_IMPORTED_MODULE_2__.GetChangeCommand({ Id: id }));
            return info?.Status === 'INSYNC' ? { done: undefined } : { miss: info?.Status };
        }, { timeoutMs: SYNC_TIMEOUT_MS, ...(pollMs === undefined ? {} : { pollMs }) }, (status) => new Error(`change ${id} still ${status ?? 'unknown'} after ${SYNC_TIMEOUT_MS} ms`));
    }
    catch (error) {
        throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .withContext */ .eQ)(context, error);
    }
}
/**
 * Route 53 deletes only on an exact match of the current record. It also refuses a TTL next to an
 * alias target, which some servers (moto) still report as TTL 0.
 */
function exactDelete(record) {
    const { TTL, ...rest } = record;
    return { Action: 'DELETE', ResourceRecordSet: record.AliasTarget ? rest : { ...rest, TTL } };
}
/** Past this many changes Route 53 rejects a batch (each DELETE of one value counts once). */
const BATCH_LIMIT = 500;
/** Deletes the A records of these names as they are now, in one batch per 500; absent ones are skipped. */
async function deleteARecords(route53, zoneId, hostnames) {
    const wanted = new Set(hostnames.map(hostKey));
    if (wanted.size === 0)
        return;
    const doomed = (await listARecords(route53, zoneId)).filter((r) => wanted.has(hostKey(r.Name ?? '')));
    for (let i = 0; i < doomed.length; i += BATCH_LIMIT) {
        const batch = doomed.slice(i, i + BATCH_LIMIT);
        const names = batch.map((r) => hostKey(r.Name ?? '')).join(', ');
        // Nothing waits on a delete: a stale answer for a minute harms no one.
        try {
            await route53.send(new _aws_sdk_client_route_53__WEBPACK_IMPORTED_MODULE_2__.ChangeResourceRecordSetsCommand({
                HostedZoneId: zoneId,
                ChangeBatch: { Changes: batch.map(exactDelete) },
            }));
        }
        catch (error) {
            throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .withContext */ .eQ)(`Could not delete DNS records ${names}`, error);
        }
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
    /**
     * Where the preview's route lives (mode, zone, domain, listener, VPC), recorded at launch so a
     * teardown needs nothing but the task: the config may since have been deleted, broken or moved.
     */
    routing: 'ecs-paas:routing',
    zone: 'ecs-paas:zone',
    domain: 'ecs-paas:domain',
    listener: 'ecs-paas:listener',
    vpc: 'ecs-paas:vpc',
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

//# sourceMappingURL=331.index.js.map