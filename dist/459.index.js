export const id = 459;
export const ids = [459];
export const modules = {

/***/ 4459:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   createAlbRouter: () => (/* binding */ createAlbRouter)
/* harmony export */ });
/* unused harmony export targetGroupName */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _aws_sdk_client_elastic_load_balancing_v2__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(586);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(4296);
/* harmony import */ var _router_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(979);
/* harmony import */ var _routing_types_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(1622);





/**
 * Target group names allow 32 characters and must be unique per account and region; a hash of the
 * host name fits, is found again without any state, and never collides across repositories.
 */
function targetGroupName(hostname) {
    return `ep-${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update((0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .hostKey */ ._9)(hostname)).digest('hex').slice(0, 29)}`;
}
function tagsFor(target) {
    return [
        { Key: _routing_types_js__WEBPACK_IMPORTED_MODULE_3__/* .TAGS */ .gp.managed, Value: 'true' },
        { Key: _routing_types_js__WEBPACK_IMPORTED_MODULE_3__/* .TAGS */ .gp.repo, Value: target.repo },
        { Key: _routing_types_js__WEBPACK_IMPORTED_MODULE_3__/* .TAGS */ .gp.pr, Value: String(target.pr) },
        { Key: _routing_types_js__WEBPACK_IMPORTED_MODULE_3__/* .TAGS */ .gp.sha, Value: target.sha },
        { Key: _routing_types_js__WEBPACK_IMPORTED_MODULE_3__/* .TAGS */ .gp.subdomain, Value: target.label },
    ];
}
function hostsOf(rule) {
    return (rule.Conditions ?? [])
        .filter((c) => c.Field === 'host-header')
        .flatMap((c) => [...(c.HostHeaderConfig?.Values ?? []), ...(c.Values ?? [])])
        .map(_router_js__WEBPACK_IMPORTED_MODULE_2__/* .hostKey */ ._9);
}
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
        throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .withContext */ .eQ)(context, error);
    }
}
/** `alb` mode: a target group and host-header rule per preview on a shared listener, and a Route 53 alias. */
function createAlbRouter(clients, settings, options = {}) {
    const { elbv2, route53 } = clients;
    const zone = settings.hostedZoneId;
    const healthTimeoutMs = options.healthTimeoutMs ?? 300_000;
    // The listener's load balancer never changes; a failed lookup is tried again next time.
    let balancer;
    const loadBalancer = () => (balancer ??= step(`Could not find the load balancer of ${settings.listenerArn}`, async () => {
        const { Listeners } = await elbv2.send(new _aws_sdk_client_elastic_load_balancing_v2__WEBPACK_IMPORTED_MODULE_4__.DescribeListenersCommand({ ListenerArns: [settings.listenerArn] }));
        const arn = Listeners?.[0]?.LoadBalancerArn;
        if (!arn)
            throw new Error('the listener names no load balancer');
        const { LoadBalancers } = await elbv2.send(new _aws_sdk_client_elastic_load_balancing_v2__WEBPACK_IMPORTED_MODULE_4__.DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] }));
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
            const page = await elbv2.send(new _aws_sdk_client_elastic_load_balancing_v2__WEBPACK_IMPORTED_MODULE_4__.DescribeRulesCommand({
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
            const { TargetGroups } = await elbv2.send(new _aws_sdk_client_elastic_load_balancing_v2__WEBPACK_IMPORTED_MODULE_4__.DescribeTargetGroupsCommand({ Names: [name] }));
            return TargetGroups?.[0];
        }
        catch (error) {
            if (named(error, 'TargetGroupNotFoundException'))
                return undefined;
            throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .withContext */ .eQ)(`Could not look up target group ${name}`, error);
        }
    };
    const ensureTargetGroup = (hostname, tags) => step(`Could not create the target group for ${hostname}`, async () => {
        const name = targetGroupName(hostname);
        let group = await findTargetGroup(name);
        let fresh = false;
        if (!group) {
            try {
                const { TargetGroups } = await elbv2.send(new _aws_sdk_client_elastic_load_balancing_v2__WEBPACK_IMPORTED_MODULE_4__.CreateTargetGroupCommand({
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
                fresh = true;
            }
            catch (error) {
                // Another route() of the same host won the race: use its group.
                if (!named(error, 'DuplicateTargetGroupNameException'))
                    throw error;
                group = await findTargetGroup(name);
            }
        }
        const arn = group?.TargetGroupArn;
        if (!arn)
            throw new Error(`target group ${name} has no ARN`);
        if (group?.HealthCheckPath !== settings.healthCheckPath) {
            await elbv2.send(new _aws_sdk_client_elastic_load_balancing_v2__WEBPACK_IMPORTED_MODULE_4__.ModifyTargetGroupCommand({
                TargetGroupArn: arn,
                HealthCheckPath: settings.healthCheckPath,
            }));
        }
        return { arn, fresh };
    });
    /** Registers the task; returns the other targets, which are dropped once it is healthy. */
    const ensureTarget = (groupArn, target) => step(`Could not register ${target.ip}:${target.port} for ${target.hostname}`, async () => {
        const { TargetHealthDescriptions = [] } = await elbv2.send(new _aws_sdk_client_elastic_load_balancing_v2__WEBPACK_IMPORTED_MODULE_4__.DescribeTargetHealthCommand({ TargetGroupArn: groupArn }));
        const isNew = (t) => t.Id === target.ip && t.Port === target.port;
        const current = TargetHealthDescriptions.flatMap((d) => 
        // Draining targets are already on their way out; deregistering again changes nothing.
        d.Target && d.TargetHealth?.State !== 'draining' ? [d.Target] : []);
        if (!current.some(isNew)) {
            await elbv2.send(new _aws_sdk_client_elastic_load_balancing_v2__WEBPACK_IMPORTED_MODULE_4__.RegisterTargetsCommand({
                TargetGroupArn: groupArn,
                Targets: [{ Id: target.ip, Port: target.port }],
            }));
        }
        return current.filter((t) => !isNew(t));
    });
    const ensureRule = (groupArn, hostname, tags) => step(`Could not create the listener rule for ${hostname}`, async () => {
        const rules = await listRules();
        const existing = rules.find((r) => !r.IsDefault && hostsOf(r).includes(hostname));
        const forward = [{ Type: 'forward', TargetGroupArn: groupArn }];
        if (existing?.RuleArn) {
            const targets = forwardsOf(existing);
            if (targets.length !== 1 || targets[0] !== groupArn) {
                await elbv2.send(new _aws_sdk_client_elastic_load_balancing_v2__WEBPACK_IMPORTED_MODULE_4__.ModifyRuleCommand({ RuleArn: existing.RuleArn, Actions: forward }));
            }
            return { arn: existing.RuleArn, fresh: false };
        }
        const used = new Set(rules.map((r) => Number(r.Priority)));
        // Another router may take a priority between our read and our write: move on to the next.
        for (let priority = 1, clashes = 0;; priority++) {
            if (used.has(priority))
                continue;
            try {
                const { Rules } = await elbv2.send(new _aws_sdk_client_elastic_load_balancing_v2__WEBPACK_IMPORTED_MODULE_4__.CreateRuleCommand({
                    ListenerArn: settings.listenerArn,
                    Priority: priority,
                    Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [hostname] } }],
                    Actions: forward,
                    Tags: tags,
                }));
                const arn = Rules?.[0]?.RuleArn;
                if (!arn)
                    throw new Error('CreateRule returned no rule');
                return { arn, fresh: true };
            }
            catch (error) {
                if (!named(error, 'PriorityInUseException') || ++clashes >= 5)
                    throw error;
            }
        }
    });
    /** A new push changes the SHA tag; resources made by this call already carry the right tags. */
    const syncTags = (arns, tags) => step(`Could not tag ${arns.join(', ')}`, async () => {
        if (arns.length === 0)
            return;
        const { TagDescriptions = [] } = await elbv2.send(new _aws_sdk_client_elastic_load_balancing_v2__WEBPACK_IMPORTED_MODULE_4__.DescribeTagsCommand({ ResourceArns: arns }));
        const outdated = arns.filter((arn) => {
            const have = TagDescriptions.find((d) => d.ResourceArn === arn)?.Tags ?? [];
            return tags.some((t) => !have.some((h) => h.Key === t.Key && h.Value === t.Value));
        });
        if (outdated.length > 0) {
            await elbv2.send(new _aws_sdk_client_elastic_load_balancing_v2__WEBPACK_IMPORTED_MODULE_4__.AddTagsCommand({ ResourceArns: outdated, Tags: tags }));
        }
    });
    const ensureAlias = async (hostname) => {
        const lb = await loadBalancer();
        const alias = (await (0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .findARecord */ .Ar)(route53, zone, hostname))?.AliasTarget;
        if (alias?.HostedZoneId === lb.zoneId && (0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .hostKey */ ._9)(alias.DNSName ?? '') === (0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .hostKey */ ._9)(lb.dnsName)) {
            return;
        }
        await (0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .changeRecords */ .nJ)(route53, zone, [
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
    const waitHealthy = (groupArn, target) => (0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .pollUntil */ .g3)(async () => {
        const { TargetHealthDescriptions } = await step(`Could not read the health of ${target.hostname}`, () => elbv2.send(new _aws_sdk_client_elastic_load_balancing_v2__WEBPACK_IMPORTED_MODULE_4__.DescribeTargetHealthCommand({
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
    /** Host names of our target groups in the VPC that no load balancer uses, from their tags. */
    const detachedGroupHosts = () => step('Could not list target groups', async () => {
        const detached = [];
        let marker;
        do {
            const page = await elbv2.send(new _aws_sdk_client_elastic_load_balancing_v2__WEBPACK_IMPORTED_MODULE_4__.DescribeTargetGroupsCommand({ PageSize: 400, ...(marker && { Marker: marker }) }));
            detached.push(...(page.TargetGroups ?? []).filter((g) => g.TargetGroupName?.startsWith('ep-') &&
                g.VpcId === settings.vpcId &&
                (g.LoadBalancerArns ?? []).length === 0));
            marker = page.NextMarker;
        } while (marker);
        const hosts = [];
        // DescribeTags takes 20 resources per call.
        for (let i = 0; i < detached.length; i += 20) {
            const batch = detached.slice(i, i + 20);
            const { TagDescriptions = [] } = await elbv2.send(new _aws_sdk_client_elastic_load_balancing_v2__WEBPACK_IMPORTED_MODULE_4__.DescribeTagsCommand({ ResourceArns: batch.map((g) => g.TargetGroupArn ?? '') }));
            for (const group of batch) {
                const tags = TagDescriptions.find((d) => d.ResourceArn === group.TargetGroupArn)?.Tags;
                const label = tags?.find((t) => t.Key === _routing_types_js__WEBPACK_IMPORTED_MODULE_3__/* .TAGS */ .gp.subdomain)?.Value;
                const hostname = label ? (0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .hostKey */ ._9)(`${label}.${settings.domain}`) : undefined;
                // The name is a hash of the host: a match proves the group is this domain's.
                if (hostname && targetGroupName(hostname) === group.TargetGroupName)
                    hosts.push(hostname);
            }
        }
        return hosts;
    });
    return {
        async route(target) {
            const hostname = (0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .checkUnder */ .pV)(settings.domain, target.hostname);
            const tags = tagsFor(target);
            const group = await ensureTargetGroup(hostname, tags);
            const stale = await ensureTarget(group.arn, target);
            const rule = await ensureRule(group.arn, hostname, tags);
            await syncTags([group, rule].filter((r) => !r.fresh).map((r) => r.arn), tags);
            await ensureAlias(hostname);
            await waitHealthy(group.arn, target);
            // Only now: until the new task is healthy, the old one keeps serving the preview.
            if (stale.length > 0) {
                await step(`Could not deregister the old targets of ${hostname}`, () => elbv2.send(new _aws_sdk_client_elastic_load_balancing_v2__WEBPACK_IMPORTED_MODULE_4__.DeregisterTargetsCommand({ TargetGroupArn: group.arn, Targets: stale })));
            }
            return { url: `https://${hostname}` };
        },
        async unroute(hostnames) {
            const keys = new Set(hostnames.map(_router_js__WEBPACK_IMPORTED_MODULE_2__/* .hostKey */ ._9));
            if (keys.size === 0)
                return;
            // A rule that also routes a host we were not asked about is not ours to delete.
            const rules = (await listRules()).filter((r) => {
                const hosts = hostsOf(r);
                return !r.IsDefault && hosts.length > 0 && hosts.every((h) => keys.has(h));
            });
            for (const rule of rules) {
                await step(`Could not delete listener rule for ${hostsOf(rule).join(', ')}`, async () => {
                    try {
                        await elbv2.send(new _aws_sdk_client_elastic_load_balancing_v2__WEBPACK_IMPORTED_MODULE_4__.DeleteRuleCommand({ RuleArn: rule.RuleArn }));
                    }
                    catch (error) {
                        if (!named(error, 'RuleNotFoundException'))
                            throw error;
                    }
                });
            }
            // Groups are deleted after the rules: a group a rule still forwards to cannot be deleted.
            for (const key of keys) {
                const group = await findTargetGroup(targetGroupName(key));
                if (!group?.TargetGroupArn)
                    continue;
                await step(`Could not delete the target group of ${key}`, async () => {
                    try {
                        await elbv2.send(new _aws_sdk_client_elastic_load_balancing_v2__WEBPACK_IMPORTED_MODULE_4__.DeleteTargetGroupCommand({ TargetGroupArn: group.TargetGroupArn }));
                    }
                    catch (error) {
                        if (!named(error, 'TargetGroupNotFoundException'))
                            throw error;
                    }
                });
            }
            await (0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .deleteARecords */ .zR)(route53, zone, [...keys]);
        },
        async routed() {
            const suffix = `.${(0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .hostKey */ ._9)(settings.domain)}`;
            const hosts = new Map();
            for (const rule of await listRules()) {
                const forwards = forwardsOf(rule);
                for (const host of hostsOf(rule)) {
                    const group = forwards.find((arn) => arn.includes(`:targetgroup/${targetGroupName(host)}/`));
                    if (!host.endsWith(suffix) || !group)
                        continue;
                    hosts.set(host, { hostname: host, owned: true, requestMetric: requestCount(group) });
                }
            }
            // Left behind by a crash between creating the group and its rule, or between deleting them.
            for (const hostname of await detachedGroupHosts()) {
                if (!hosts.has(hostname))
                    hosts.set(hostname, { hostname, owned: true });
            }
            const lb = await loadBalancer();
            for (const record of await (0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .listARecords */ .O1)(route53, zone)) {
                const hostname = (0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .hostKey */ ._9)(record.Name ?? '');
                const alias = record.AliasTarget;
                if (!hostname.endsWith(suffix) || hosts.has(hostname) || !alias)
                    continue;
                if ((0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .hostKey */ ._9)(alias.DNSName ?? '') === (0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .hostKey */ ._9)(lb.dnsName)) {
                    hosts.set(hostname, { hostname, owned: false });
                }
            }
            return [...hosts.values()];
        },
    };
}


/***/ }),

/***/ 979:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Ar: () => (/* binding */ findARecord),
/* harmony export */   O1: () => (/* binding */ listARecords),
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
async function listARecords(route53, zoneId) {
    const records = [];
    let next = { HostedZoneId: zoneId };
    try {
        while (next) {
            const page = await route53.send(new _aws_sdk_client_route_53__WEBPACK_IMPORTED_MODULE_2__.ListResourceRecordSetsCommand(next));
            records.push(...(page.ResourceRecordSets ?? []).filter((r) => r.Type === 'A'));
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


/***/ })

};

//# sourceMappingURL=459.index.js.map