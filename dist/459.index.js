export const id = 459;
export const ids = [459];
export const modules = {

/***/ 8459:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createAlbRouter: () => (/* binding */ createAlbRouter),
  targetGroupName: () => (/* binding */ targetGroupName)
});

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-elastic-load-balancing-v2/dist-cjs/index.js
var dist_cjs = __webpack_require__(586);
// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __webpack_require__(4296);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-secrets-manager/dist-cjs/index.js
var client_secrets_manager_dist_cjs = __webpack_require__(2994);
;// CONCATENATED MODULE: ./src/core/preview/alb-auth.ts


/** The header a CI run sends with the bypass secret's value to reach a preview without a login. */
const BYPASS_HEADER = 'x-ecs-paas-bypass';
/**
 * The load balancer compares header values without case and reads `*` and `?` as wildcards, so
 * a short value or one with a wildcard (`*` alone would open every preview) is refused.
 */
const BYPASS_VALUE = /^[A-Za-z0-9._~+/=-]{32,128}$/;
/** A secret that cannot be used as configured: the message names the key, never the value or ARN. */
class AuthSecretProblem extends Error {
    constructor(message) {
        super(message);
        this.name = 'AuthSecretProblem';
    }
}
async function readSecret(secrets, arn, key) {
    let value;
    try {
        ({ SecretString: value } = await secrets.send(new client_secrets_manager_dist_cjs/* GetSecretValueCommand */.d2({ SecretId: arn })));
    }
    catch (error) {
        throw (0,errors/* withContext */.eQ)(`Could not read ${key} from Secrets Manager`, error);
    }
    value = value?.trim();
    if (!value) {
        throw new AuthSecretProblem(`${key} names a secret without a text value: store the value in it as plain text`);
    }
    return value;
}
/** Reads the secrets `auth` names (each time: a rotated secret is picked up by the next rule written). */
async function resolveAuth(secrets, auth) {
    if (!auth)
        return {};
    if (!secrets)
        throw new Error('routing.auth is set but no Secrets Manager client was given');
    let bypass;
    if (auth.bypassSecretArn) {
        bypass = await readSecret(secrets, auth.bypassSecretArn, 'routing.auth.bypass-secret');
        if (!BYPASS_VALUE.test(bypass)) {
            throw new AuthSecretProblem('routing.auth.bypass-secret holds a value the load balancer cannot match safely; expected 32 to 128 letters, digits or - . _ ~ + / = (header values are compared without case, and * or ? would match any value)');
        }
    }
    const login = auth.kind === 'oidc'
        ? {
            Type: 'authenticate-oidc',
            AuthenticateOidcConfig: {
                Issuer: auth.issuer,
                AuthorizationEndpoint: auth.authorizationEndpoint,
                TokenEndpoint: auth.tokenEndpoint,
                UserInfoEndpoint: auth.userInfoEndpoint,
                ClientId: auth.clientId,
                ClientSecret: await readSecret(secrets, auth.clientSecretArn, 'routing.auth.oidc.client-secret'),
                OnUnauthenticatedRequest: 'authenticate',
            },
        }
        : {
            Type: 'authenticate-cognito',
            AuthenticateCognitoConfig: {
                UserPoolArn: auth.userPoolArn,
                UserPoolClientId: auth.userPoolClientId,
                UserPoolDomain: auth.userPoolDomain,
                OnUnauthenticatedRequest: 'authenticate',
            },
        };
    return { login, ...(bypass !== undefined && { bypass }) };
}
/** The preview rule's actions: the login first (Order 1), then the forward (Order 2). */
function previewActions(auth, groupArn) {
    const forward = { Type: 'forward', TargetGroupArn: groupArn };
    return auth.login
        ? [
            { ...auth.login, Order: 1 },
            { ...forward, Order: 2 },
        ]
        : [forward];
}
/** The bypass rule's conditions: the preview's host and the header with the secret value. */
function bypassConditions(hostname, value) {
    return [
        { Field: 'host-header', HostHeaderConfig: { Values: [hostname] } },
        { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: BYPASS_HEADER, Values: [value] } },
    ];
}
/** A rule is a bypass rule when one of its conditions is on the bypass header. */
function isBypassRule(rule) {
    return (rule.Conditions ?? []).some((c) => c.Field === 'http-header' &&
        c.HttpHeaderConfig?.HttpHeaderName?.toLowerCase() === BYPASS_HEADER);
}
/** The values the bypass rule's header condition matches. */
function bypassValues(rule) {
    return (rule.Conditions ?? [])
        .filter((c) => c.Field === 'http-header')
        .flatMap((c) => c.HttpHeaderConfig?.Values ?? []);
}
/** What a rule's actions do, in a form two sets of actions can be compared by. */
function actionKey(action) {
    const oidc = action.AuthenticateOidcConfig;
    const cognito = action.AuthenticateCognitoConfig;
    return [
        action.Type,
        // A simple forward may be reported as TargetGroupArn, as ForwardConfig, or as both.
        [
            ...new Set([
                action.TargetGroupArn,
                ...(action.ForwardConfig?.TargetGroups ?? []).map((t) => t.TargetGroupArn),
            ].filter((arn) => arn !== undefined)),
        ].sort(),
        oidc && [
            oidc.Issuer,
            oidc.AuthorizationEndpoint,
            oidc.TokenEndpoint,
            oidc.UserInfoEndpoint,
            oidc.ClientId,
            // AWS never reports the secret: an unreported one counts as different, so it is rewritten.
            oidc.ClientSecret,
        ],
        cognito && [cognito.UserPoolArn, cognito.UserPoolClientId, cognito.UserPoolDomain],
    ];
}
/** Do the rule's actions already do what `wanted` does, in the same order? */
function sameActions(have, wanted) {
    const ordered = (actions) => [...actions].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0)).map(actionKey);
    return JSON.stringify(ordered(have)) === JSON.stringify(ordered(wanted));
}

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-acm/dist-cjs/index.js
var client_acm_dist_cjs = __webpack_require__(3490);
// EXTERNAL MODULE: ./src/core/preview/router.ts
var router = __webpack_require__(979);
;// CONCATENATED MODULE: ./src/core/preview/alb-listener-check.ts




/** Does a certificate name (`*.preview.example.com`) cover every `<label>.<domain>`? */
function coversPreviews(certificateName, domain) {
    // A wildcard covers one label only: `*.example.com` does not cover `pr-1.preview.example.com`.
    return (0,router/* hostKey */._9)(certificateName) === `*.${(0,router/* hostKey */._9)(domain)}`;
}
/**
 * Why previews under `domain` cannot be served over HTTPS by the listener, in words for a PR
 * comment (no ARNs), or undefined when it is an HTTPS listener with an issued ACM certificate
 * for `*.<domain>` among its certificates (the default one or an SNI one).
 */
async function listenerProblem(clients, listenerArn, domain) {
    const { elbv2, acm } = clients;
    const wanted = `*.${(0,router/* hostKey */._9)(domain)}`;
    const attach = `attach an HTTPS listener with a certificate for ${wanted} and name it in routing.listener-arn`;
    let protocol;
    try {
        const { Listeners } = await elbv2.send(new dist_cjs.DescribeListenersCommand({ ListenerArns: [listenerArn] }));
        protocol = Listeners?.[0]?.Protocol;
    }
    catch (error) {
        throw (0,errors/* withContext */.eQ)('Could not read the listener in routing.listener-arn', error);
    }
    if (protocol !== 'HTTPS') {
        return `the listener in routing.listener-arn serves ${protocol ?? 'an unknown protocol'}, not HTTPS: ${attach}`;
    }
    const certificates = [];
    try {
        let marker;
        do {
            const page = await elbv2.send(new dist_cjs.DescribeListenerCertificatesCommand({
                ListenerArn: listenerArn,
                ...(marker && { Marker: marker }),
            }));
            certificates.push(...(page.Certificates ?? []).flatMap((c) => (c.CertificateArn ? [c.CertificateArn] : [])));
            marker = page.NextMarker;
        } while (marker);
    }
    catch (error) {
        throw (0,errors/* withContext */.eQ)('Could not list the certificates of the listener', error);
    }
    const unusable = [];
    // IAM server certificates cannot be read through ACM; only ACM ones are checked.
    for (const arn of new Set(certificates.filter((c) => c.includes(':acm:')))) {
        let certificate;
        try {
            ({ Certificate: certificate } = await acm.send(new client_acm_dist_cjs/* DescribeCertificateCommand */.iIX({ CertificateArn: arn })));
        }
        catch (error) {
            throw (0,errors/* withContext */.eQ)('Could not read a certificate of the listener from ACM', error);
        }
        const names = [certificate?.DomainName, ...(certificate?.SubjectAlternativeNames ?? [])];
        if (!names.some((name) => name !== undefined && coversPreviews(name, domain)))
            continue;
        if (certificate?.Status === 'ISSUED')
            return undefined;
        unusable.push(certificate?.Status ?? 'of unknown status');
    }
    return unusable.length > 0
        ? `the listener's certificate for ${wanted} is ${unusable.join(', ').toLowerCase().replace(/_/g, ' ')}, not issued: renew or replace it in ACM`
        : `the HTTPS listener in routing.listener-arn has no ACM certificate for ${wanted}: add one to the listener, or ${attach}`;
}

// EXTERNAL MODULE: ./src/core/preview/dns-owner.ts
var dns_owner = __webpack_require__(589);
// EXTERNAL MODULE: ./src/core/preview/routing-types.ts
var routing_types = __webpack_require__(1622);
;// CONCATENATED MODULE: ./src/core/preview/alb-owner.ts




/** ELBv2 refuses DescribeTags for more resources than this in one call. */
const TAG_BATCH = 20;
/** The tags of each resource, read 20 at a time; a resource ELBv2 does not list maps to none. */
async function tagsOf(elbv2, arns) {
    const unique = [...new Set(arns.filter((arn) => Boolean(arn)))];
    const tags = new Map();
    for (let i = 0; i < unique.length; i += TAG_BATCH) {
        const batch = unique.slice(i, i + TAG_BATCH);
        try {
            const { TagDescriptions = [] } = await elbv2.send(new dist_cjs.DescribeTagsCommand({ ResourceArns: batch }));
            for (const { ResourceArn, Tags } of TagDescriptions) {
                if (ResourceArn)
                    tags.set(ResourceArn, Tags ?? []);
            }
        }
        catch (error) {
            throw (0,errors/* withContext */.eQ)(`Could not read the tags of ${batch.join(', ')}`, error);
        }
    }
    return tags;
}
const tagValue = (tags, key) => tags.find((t) => t.Key === key)?.Value;
/** The repository and PR a rule's or target group's tags name, when they name one fully. */
function tagOwner(tags) {
    const repo = tagValue(tags, routing_types/* TAGS */.gp.repo);
    const pr = tagValue(tags, routing_types/* TAGS */.gp.pr);
    return repo && pr && /^\d+$/.test(pr) ? { repo, pr: Number(pr) } : undefined;
}
/**
 * A half-written or garbled owner tag still claims the resource, for no one: only resources with
 * neither tag (made by hand, or by a release that wrote none) are unclaimed.
 */
const isClaimed = (tags) => tagValue(tags, routing_types/* TAGS */.gp.repo) !== undefined || tagValue(tags, routing_types/* TAGS */.gp.pr) !== undefined;
/** Someone other than `owner` holds the resource. */
function claimedByOther(tags, owner) {
    return isClaimed(tags) && !(0,dns_owner/* sameOwner */.s0)(tagOwner(tags), owner);
}
/**
 * Whether a host's rules and target group (their tags, one list each) may be removed for a caller
 * expecting `expected` to own the host. The same rule as dns mode's ownership record: claimed
 * resources go only as their owner's, and a host nothing claims goes only by the sweep's own
 * judgement (no expected owner), never by a PR's teardown.
 */
function mayRemove(held, expected) {
    const claimed = held.filter(isClaimed);
    return claimed.length > 0
        ? claimed.every((tags) => (0,dns_owner/* sameOwner */.s0)(tagOwner(tags), expected))
        : expected === undefined;
}

;// CONCATENATED MODULE: ./src/core/preview/alb-router.ts









/**
 * Target group names allow 32 characters and must be unique per account and region; a hash of the
 * host name fits, is found again without any state, and never collides across repositories.
 */
function targetGroupName(hostname) {
    return `ep-${(0,external_node_crypto_.createHash)('sha256').update((0,router/* hostKey */._9)(hostname)).digest('hex').slice(0, 29)}`;
}
function tagsFor(target) {
    return [
        { Key: routing_types/* TAGS */.gp.managed, Value: 'true' },
        { Key: routing_types/* TAGS */.gp.repo, Value: target.repo },
        { Key: routing_types/* TAGS */.gp.pr, Value: String(target.pr) },
        { Key: routing_types/* TAGS */.gp.sha, Value: target.sha },
        { Key: routing_types/* TAGS */.gp.subdomain, Value: target.label },
    ];
}
function hostsOf(rule) {
    return (rule.Conditions ?? [])
        .filter((c) => c.Field === 'host-header')
        .flatMap((c) => [...(c.HostHeaderConfig?.Values ?? []), ...(c.Values ?? [])])
        .map(router/* hostKey */._9);
}
const rulesOf = (rules, host) => rules.filter((r) => !r.IsDefault && hostsOf(r).includes(host));
function forwardsOf(rule) {
    return (rule.Actions ?? [])
        .filter((a) => a.Type === 'forward')
        .flatMap((a) => [
        a.TargetGroupArn,
        ...(a.ForwardConfig?.TargetGroups ?? []).map((t) => t.TargetGroupArn),
    ])
        .filter((arn) => arn !== undefined);
}
const named = (error, name) => error instanceof Error && error.name === name;
async function step(context, work) {
    try {
        return await work();
    }
    catch (error) {
        throw (0,errors/* withContext */.eQ)(context, error);
    }
}
/**
 * `alb` mode: a target group and host-header rule per preview on a shared HTTPS listener, and a
 * Route 53 alias. With `routing.auth` the rule logs the user in before it forwards, and a bypass
 * rule ahead of it forwards requests that carry the bypass header.
 */
function createAlbRouter(clients, settings, options = {}) {
    const { elbv2, route53, acm, secrets } = clients;
    const zone = settings.hostedZoneId;
    const healthTimeoutMs = options.healthTimeoutMs ?? 300_000;
    // The listener's load balancer never changes; a failed lookup is tried again next time.
    let balancer;
    const loadBalancer = () => (balancer ??= step(`Could not find the load balancer of ${settings.listenerArn}`, async () => {
        const { Listeners } = await elbv2.send(new dist_cjs.DescribeListenersCommand({ ListenerArns: [settings.listenerArn] }));
        const arn = Listeners?.[0]?.LoadBalancerArn;
        if (!arn)
            throw new Error('the listener names no load balancer');
        const { LoadBalancers } = await elbv2.send(new dist_cjs.DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] }));
        const { DNSName, CanonicalHostedZoneId } = LoadBalancers?.[0] ?? {};
        if (!DNSName || !CanonicalHostedZoneId)
            throw new Error(`${arn} has no DNS name`);
        return { dnsName: DNSName, zoneId: CanonicalHostedZoneId };
    }).catch((error) => {
        balancer = undefined;
        throw error;
    }));
    const listRules = () => step(`Could not list the rules of ${settings.listenerArn}`, async () => {
        const rules = [];
        let marker;
        do {
            const page = await elbv2.send(new dist_cjs.DescribeRulesCommand({
                ListenerArn: settings.listenerArn,
                ...(marker && { Marker: marker }),
            }));
            rules.push(...(page.Rules ?? []));
            marker = page.NextMarker;
        } while (marker);
        return rules;
    });
    const findTargetGroup = async (name) => {
        try {
            const { TargetGroups } = await elbv2.send(new dist_cjs.DescribeTargetGroupsCommand({ Names: [name] }));
            return TargetGroups?.[0];
        }
        catch (error) {
            if (named(error, 'TargetGroupNotFoundException'))
                return undefined;
            throw (0,errors/* withContext */.eQ)(`Could not look up target group ${name}`, error);
        }
    };
    const findHost = async (hostname) => {
        const group = await findTargetGroup(targetGroupName(hostname));
        const rules = await listRules();
        const arns = [group?.TargetGroupArn, ...rulesOf(rules, hostname).map((r) => r.RuleArn)];
        return { ...(group && { group }), rules, tags: await tagsOf(elbv2, arns) };
    };
    const ensureTargetGroup = (hostname, tags, found) => step(`Could not create the target group for ${hostname}`, async () => {
        const name = targetGroupName(hostname);
        let group = found;
        if (!group) {
            try {
                const { TargetGroups } = await elbv2.send(new dist_cjs.CreateTargetGroupCommand({
                    Name: name,
                    TargetType: 'ip',
                    Protocol: 'HTTP',
                    Port: settings.port,
                    VpcId: settings.vpcId,
                    HealthCheckPath: settings.healthCheckPath,
                    // The defaults (30 s × 5) keep a fresh preview unreachable for over two minutes.
                    HealthCheckIntervalSeconds: 10,
                    HealthyThresholdCount: 2,
                    Tags: tags,
                }));
                group = TargetGroups?.[0];
            }
            catch (error) {
                // Another route() of the same host won the race: its group, once route() knows whose.
                if (!named(error, 'DuplicateTargetGroupNameException'))
                    throw error;
                group = await findTargetGroup(name);
            }
        }
        const arn = group?.TargetGroupArn;
        if (!arn)
            throw new Error(`target group ${name} has no ARN`);
        if (group?.HealthCheckPath !== settings.healthCheckPath) {
            await elbv2.send(new dist_cjs.ModifyTargetGroupCommand({
                TargetGroupArn: arn,
                HealthCheckPath: settings.healthCheckPath,
            }));
        }
        return arn;
    });
    /** Registers the task; returns the other targets, which are dropped once it is healthy. */
    const ensureTarget = (groupArn, target) => step(`Could not register ${target.ip}:${target.port} for ${target.hostname}`, async () => {
        const { TargetHealthDescriptions = [] } = await elbv2.send(new dist_cjs.DescribeTargetHealthCommand({ TargetGroupArn: groupArn }));
        const isNew = (t) => t.Id === target.ip && t.Port === target.port;
        const current = TargetHealthDescriptions.flatMap((d) => 
        // Draining targets are already on their way out; deregistering again changes nothing.
        d.Target && d.TargetHealth?.State !== 'draining' ? [d.Target] : []);
        if (!current.some(isNew)) {
            await elbv2.send(new dist_cjs.RegisterTargetsCommand({
                TargetGroupArn: groupArn,
                Targets: [{ Id: target.ip, Port: target.port }],
            }));
        }
        return current.filter((t) => !isNew(t));
    });
    /**
     * Runs `take` with the lowest free priority above `after`; `used` gains the one it took.
     * Another router may take a priority between our read and our write: move on to the next.
     */
    const atFreePriority = async (used, after, take) => {
        for (let priority = after + 1, clashes = 0;; priority++) {
            if (used.has(priority))
                continue;
            try {
                const taken = await take(priority);
                used.add(priority);
                return { ...taken, priority };
            }
            catch (error) {
                if (!named(error, 'PriorityInUseException') || ++clashes >= 5)
                    throw error;
            }
        }
    };
    const createRule = (conditions, actions, tags, used) => atFreePriority(used, 0, async (priority) => {
        const { Rules } = await elbv2.send(new dist_cjs.CreateRuleCommand({
            ListenerArn: settings.listenerArn,
            Priority: priority,
            Conditions: conditions,
            Actions: actions,
            Tags: tags,
        }));
        const arn = Rules?.[0]?.RuleArn;
        if (!arn)
            throw new Error('CreateRule returned no rule');
        return { arn, fresh: true };
    });
    const deleteRule = async (arn) => {
        try {
            await elbv2.send(new dist_cjs.DeleteRuleCommand({ RuleArn: arn }));
        }
        catch (error) {
            if (!named(error, 'RuleNotFoundException'))
                throw error;
        }
    };
    /**
     * The bypass rule (host + header → forward), when one is configured, and the preview's rule
     * (host → login, forward). The bypass rule must be evaluated first: it gets the lower priority.
     */
    const ensureRules = (groupArn, hostname, tags, auth, rules) => step(`Could not create the listener rules for ${hostname}`, async () => {
        const used = new Set(rules.map((r) => Number(r.Priority)));
        const ours = rulesOf(rules, hostname);
        const forward = [{ Type: 'forward', TargetGroupArn: groupArn }];
        // A new pair is created bypass first, so it already has the lower priority.
        const oldBypass = ours.find(isBypassRule);
        let bypass;
        if (auth.bypass === undefined) {
            // Bypass turned off in the config: its rule would still let the header in.
            if (oldBypass)
                await deleteRule(oldBypass.RuleArn);
        }
        else if (oldBypass?.RuleArn) {
            const values = bypassValues(oldBypass);
            if (values.length !== 1 ||
                values[0] !== auth.bypass ||
                !sameActions(oldBypass.Actions ?? [], forward)) {
                await elbv2.send(new dist_cjs.ModifyRuleCommand({
                    RuleArn: oldBypass.RuleArn,
                    Conditions: bypassConditions(hostname, auth.bypass),
                    Actions: forward,
                }));
            }
            bypass = { arn: oldBypass.RuleArn, fresh: false, priority: Number(oldBypass.Priority) };
        }
        else {
            bypass = await createRule(bypassConditions(hostname, auth.bypass), forward, tags, used);
        }
        const oldMain = ours.find((r) => !isBypassRule(r));
        const actions = previewActions(auth, groupArn);
        let main;
        if (oldMain?.RuleArn) {
            if (!sameActions(oldMain.Actions ?? [], actions)) {
                await elbv2.send(new dist_cjs.ModifyRuleCommand({ RuleArn: oldMain.RuleArn, Actions: actions }));
            }
            main = { arn: oldMain.RuleArn, fresh: false, priority: Number(oldMain.Priority) };
        }
        else {
            main = await createRule([{ Field: 'host-header', HostHeaderConfig: { Values: [hostname] } }], actions, tags, used);
        }
        // A bypass added to a preview that already had its rule lands behind it: move that rule
        // to a free priority after the bypass (one rule to a free slot: not every ELB accepts a swap).
        if (bypass && bypass.priority > main.priority) {
            const { arn } = main;
            await atFreePriority(used, bypass.priority, (priority) => elbv2.send(new dist_cjs.SetRulePrioritiesCommand({
                RulePriorities: [{ RuleArn: arn, Priority: priority }],
            })));
        }
        return bypass ? [main, bypass] : [main];
    });
    /** A new push changes the SHA tag; `held` has the tags each resource carried when it was read. */
    const syncTags = async (arns, held, tags) => {
        const outdated = arns.filter((arn) => {
            const have = held.get(arn) ?? [];
            return tags.some((t) => !have.some((h) => h.Key === t.Key && h.Value === t.Value));
        });
        if (outdated.length === 0)
            return;
        await step(`Could not tag ${outdated.join(', ')}`, () => elbv2.send(new dist_cjs.AddTagsCommand({ ResourceArns: outdated, Tags: tags })));
    };
    const ensureAlias = async (hostname) => {
        const lb = await loadBalancer();
        const alias = (await (0,router/* findARecord */.Ar)(route53, zone, hostname))?.AliasTarget;
        if (alias?.HostedZoneId === lb.zoneId && (0,router/* hostKey */._9)(alias.DNSName ?? '') === (0,router/* hostKey */._9)(lb.dnsName)) {
            return;
        }
        await (0,router/* changeRecords */.nJ)(route53, zone, [
            {
                Action: 'UPSERT',
                ResourceRecordSet: {
                    Name: `${hostname}.`,
                    Type: 'A',
                    AliasTarget: {
                        HostedZoneId: lb.zoneId,
                        DNSName: lb.dnsName,
                        EvaluateTargetHealth: false,
                    },
                },
            },
        ], `Could not create DNS alias ${hostname}`, options.pollMs);
    };
    const waitHealthy = (groupArn, target) => (0,router/* pollUntil */.g3)(async () => {
        const { TargetHealthDescriptions } = await step(`Could not read the health of ${target.hostname}`, () => elbv2.send(new dist_cjs.DescribeTargetHealthCommand({
            TargetGroupArn: groupArn,
            Targets: [{ Id: target.ip, Port: target.port }],
        })));
        const health = TargetHealthDescriptions?.[0]?.TargetHealth;
        return health?.State === 'healthy' ? { done: undefined } : { miss: health };
    }, {
        timeoutMs: healthTimeoutMs,
        ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
    }, (health) => new Error(`${target.hostname}: target ${target.ip}:${target.port} not healthy within ${healthTimeoutMs} ms: ` +
        [health?.State ?? 'no state', health?.Reason, health?.Description]
            .filter(Boolean)
            .join(', ')));
    /** The metric CloudWatch keeps per target group: its dimensions come from the two ARNs. */
    const requestCount = (groupArn) => ({
        namespace: 'AWS/ApplicationELB',
        name: 'RequestCount',
        dimensions: [
            { name: 'TargetGroup', value: groupArn.slice(groupArn.indexOf('targetgroup/')) },
            {
                name: 'LoadBalancer',
                value: (settings.listenerArn.split(':listener/')[1] ?? '').split('/').slice(0, 3).join('/'),
            },
        ],
    });
    /** Our target groups in the VPC that no load balancer uses: their hosts and owners, by tags. */
    const detachedGroups = () => step('Could not list target groups', async () => {
        const detached = [];
        let marker;
        do {
            const page = await elbv2.send(new dist_cjs.DescribeTargetGroupsCommand({ PageSize: 400, ...(marker && { Marker: marker }) }));
            detached.push(...(page.TargetGroups ?? []).filter((g) => g.TargetGroupName?.startsWith('ep-') &&
                g.VpcId === settings.vpcId &&
                (g.LoadBalancerArns ?? []).length === 0));
            marker = page.NextMarker;
        } while (marker);
        const tags = await tagsOf(elbv2, detached.map((g) => g.TargetGroupArn));
        return detached.flatMap((group) => {
            const held = tags.get(group.TargetGroupArn ?? '') ?? [];
            const label = held.find((t) => t.Key === routing_types/* TAGS */.gp.subdomain)?.Value;
            const hostname = label ? (0,router/* hostKey */._9)(`${label}.${settings.domain}`) : undefined;
            const owner = tagOwner(held);
            // The name is a hash of the host: a match proves the group is this domain's.
            return hostname && targetGroupName(hostname) === group.TargetGroupName
                ? [{ hostname, ...(owner && { owner }) }]
                : [];
        });
    });
    return {
        async preflight() {
            const problem = await listenerProblem({ elbv2, acm }, settings.listenerArn, settings.domain);
            if (problem !== undefined)
                return problem;
            try {
                await resolveAuth(secrets, settings.auth);
            }
            catch (error) {
                if (error instanceof AuthSecretProblem)
                    return error.message;
                throw error;
            }
            return undefined;
        },
        async route(target) {
            const hostname = (0,router/* checkUnder */.pV)(settings.domain, target.hostname);
            const tags = tagsFor(target);
            const owner = { repo: target.repo, pr: target.pr };
            // Secrets first: one that cannot be read leaves no group or rule behind.
            const auth = await resolveAuth(secrets, settings.auth);
            // Another repository's group or rule for the name: refuse before touching either.
            const found = await findHost(hostname);
            if ([...found.tags.values()].some((held) => claimedByOther(held, owner))) {
                throw new dns_owner/* NameTakenError */.B6(hostname);
            }
            // The name itself may be held in the zone: a dns-mode preview's record and owner record, or
            // a record someone keeps by hand. An alias would overwrite either.
            const { a, txt } = await (0,dns_owner/* recordsAt */.KA)(route53, zone, hostname);
            const held = (0,dns_owner/* readOwner */.A7)(txt);
            if ((held && !(0,dns_owner/* sameOwner */.s0)(held, owner)) || (a && !a.AliasTarget)) {
                throw new dns_owner/* NameTakenError */.B6(hostname);
            }
            const groupArn = await ensureTargetGroup(hostname, tags, found.group);
            if (!found.group) {
                // Another repository's route() may have made it since we looked: CreateTargetGroup hands
                // back an existing group of equal settings (a duplicate, on some servers) as if new.
                const made = await tagsOf(elbv2, [groupArn]);
                if (claimedByOther(made.get(groupArn) ?? [], owner))
                    throw new dns_owner/* NameTakenError */.B6(hostname);
                made.forEach((held, arn) => found.tags.set(arn, held));
            }
            const stale = await ensureTarget(groupArn, target);
            const rules = await ensureRules(groupArn, hostname, tags, auth, found.rules);
            await syncTags([groupArn, ...rules.filter((r) => !r.fresh).map((r) => r.arn)], found.tags, tags);
            await ensureAlias(hostname);
            await waitHealthy(groupArn, target);
            // Only now: until the new task is healthy, the old one keeps serving the preview.
            if (stale.length > 0) {
                await step(`Could not deregister the old targets of ${hostname}`, () => elbv2.send(new dist_cjs.DeregisterTargetsCommand({ TargetGroupArn: groupArn, Targets: stale })));
            }
            return { url: `https://${hostname}` };
        },
        async unroute(hostnames, owners) {
            const keys = new Set(hostnames.map(router/* hostKey */._9));
            if (keys.size === 0)
                return;
            const rules = (await listRules()).filter((r) => !r.IsDefault && hostsOf(r).some((h) => keys.has(h)));
            const groups = new Map();
            for (const key of keys) {
                const arn = (await findTargetGroup(targetGroupName(key)))?.TargetGroupArn;
                if (arn)
                    groups.set(key, arn);
            }
            const tags = await tagsOf(elbv2, [...rules.map((r) => r.RuleArn), ...groups.values()]);
            const held = (arn) => tags.get(arn ?? '') ?? [];
            // Any rule naming the host counts, so a foreign rule also routing it keeps the host whole.
            const removable = new Set([...keys].filter((key) => mayRemove([...rulesOf(rules, key).map((r) => r.RuleArn), groups.get(key)].map(held), owners?.get(key))));
            // A rule that also routes a host we may not remove is not ours to delete. The bypass rule
            // names the same host, so it goes with the preview's rule.
            for (const rule of rules.filter((r) => hostsOf(r).every((h) => removable.has(h)))) {
                await step(`Could not delete listener rule for ${hostsOf(rule).join(', ')}`, () => deleteRule(rule.RuleArn));
            }
            // Groups are deleted after the rules: a group a rule still forwards to cannot be deleted.
            for (const key of removable) {
                const arn = groups.get(key);
                if (!arn)
                    continue;
                await step(`Could not delete the target group of ${key}`, async () => {
                    try {
                        await elbv2.send(new dist_cjs.DeleteTargetGroupCommand({ TargetGroupArn: arn }));
                    }
                    catch (error) {
                        if (!named(error, 'TargetGroupNotFoundException'))
                            throw error;
                    }
                });
            }
            await (0,router/* deleteARecords */.zR)(route53, zone, [...removable]);
        },
        async routed() {
            const suffix = `.${(0,router/* hostKey */._9)(settings.domain)}`;
            const found = [];
            for (const rule of await listRules()) {
                const forwards = forwardsOf(rule);
                for (const host of hostsOf(rule)) {
                    const group = forwards.find((arn) => arn.includes(`:targetgroup/${targetGroupName(host)}/`));
                    if (host.endsWith(suffix) && group)
                        found.push({ host, group, rule });
                }
            }
            // One DescribeTags per 20 rules, not one per preview.
            const tags = await tagsOf(elbv2, found.map((f) => f.rule.RuleArn));
            const hosts = new Map();
            for (const { host, group, rule } of found) {
                // The bypass rule and the preview's rule carry the same tags; either one tells.
                const owner = tagOwner(tags.get(rule.RuleArn ?? '') ?? []) ?? hosts.get(host)?.owner;
                hosts.set(host, {
                    hostname: host,
                    owned: true,
                    requestMetric: requestCount(group),
                    ...(owner && { owner }),
                });
            }
            // Left behind by a crash between creating the group and its rule, or between deleting them.
            for (const { hostname, owner } of await detachedGroups()) {
                if (hosts.has(hostname))
                    continue;
                hosts.set(hostname, { hostname, owned: true, ...(owner && { owner }) });
            }
            const lb = await loadBalancer();
            for (const record of await (0,router/* listARecords */.O1)(route53, zone)) {
                const hostname = (0,router/* hostKey */._9)(record.Name ?? '');
                const alias = record.AliasTarget;
                if (!hostname.endsWith(suffix) || hosts.has(hostname) || !alias)
                    continue;
                if ((0,router/* hostKey */._9)(alias.DNSName ?? '') === (0,router/* hostKey */._9)(lb.dnsName)) {
                    hosts.set(hostname, { hostname, owned: false });
                }
            }
            return [...hosts.values()];
        },
    };
}


/***/ }),

/***/ 589:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   A7: () => (/* binding */ readOwner),
/* harmony export */   B6: () => (/* binding */ NameTakenError),
/* harmony export */   KA: () => (/* binding */ recordsAt),
/* harmony export */   dw: () => (/* binding */ ownerValue),
/* harmony export */   s0: () => (/* binding */ sameOwner)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_route_53__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8621);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(4296);
/* harmony import */ var _router_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(979);



/** `"ecs-paas repo=acme/web pr=1"`: Route 53 wants TXT values quoted. */
function ownerValue(owner) {
    return `"ecs-paas repo=${owner.repo} pr=${owner.pr}"`;
}
function readOwner(record) {
    for (const { Value } of record?.ResourceRecords ?? []) {
        const match = /^"ecs-paas repo=([^\s"]+) pr=(\d+)"$/.exec(Value ?? '');
        if (match?.[1] && match[2])
            return { repo: match[1], pr: Number(match[2]) };
    }
    return undefined;
}
const sameOwner = (a, b) => a !== undefined &&
    b !== undefined &&
    a.repo.toLowerCase() === b.repo.toLowerCase() &&
    a.pr === b.pr;
/** The name is held by another repository's preview (or by a record ecs-paas did not make). */
class NameTakenError extends _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .PublicError */ .IW {
    constructor(hostname) {
        super(`${hostname} is already claimed by another preview or record in the zone; nothing of it was changed. Give this repository's previews their own names with {repo} or {owner} in routing.subdomain.`);
        this.name = 'NameTakenError';
    }
}
/** The A and TXT records Route 53 holds at one name (one read from its place in the zone). */
async function recordsAt(route53, zoneId, hostname) {
    try {
        const { ResourceRecordSets = [] } = await route53.send(new _aws_sdk_client_route_53__WEBPACK_IMPORTED_MODULE_2__.ListResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            StartRecordName: hostname,
            MaxItems: 10,
        }));
        const here = ResourceRecordSets.filter((r) => (0,_router_js__WEBPACK_IMPORTED_MODULE_1__/* .hostKey */ ._9)(r.Name ?? '') === (0,_router_js__WEBPACK_IMPORTED_MODULE_1__/* .hostKey */ ._9)(hostname));
        const a = here.find((r) => r.Type === 'A');
        const txt = here.find((r) => r.Type === 'TXT');
        return { ...(a && { a }), ...(txt && { txt }) };
    }
    catch (error) {
        throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .withContext */ .eQ)(`Could not read DNS records of ${hostname}`, error);
    }
}


/***/ })

};

//# sourceMappingURL=459.index.js.map