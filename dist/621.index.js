export const id = 621;
export const ids = [621];
export const modules = {

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


/***/ }),

/***/ 621:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   createDnsRouter: () => (/* binding */ createDnsRouter)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_route_53__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(8621);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(4296);
/* harmony import */ var _dns_owner_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(589);
/* harmony import */ var _router_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(979);




/** Short, so a replaced preview is reached within a minute of the switch. */
const TTL = 60;
/** Past this many changes Route 53 rejects a batch. */
const BATCH_LIMIT = 500;
/**
 * dns mode: an A record `<label>.<domain>` straight to the task IP, next to a TXT record naming
 * the repository and PR that own the name. A name is claimed by creating both in one batch, which
 * Route 53 refuses when either exists, so two repositories can never share one; only the owner
 * repoints or deletes it.
 */
function createDnsRouter(route53, settings, options = {}) {
    const zone = settings.hostedZoneId;
    return {
        async route(target) {
            const hostname = (0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .checkUnder */ .pV)(settings.domain, target.hostname);
            const url = target.port === 80 ? `http://${hostname}` : `http://${hostname}:${target.port}`;
            const owner = { repo: target.repo, pr: target.pr };
            const { a, txt } = await (0,_dns_owner_js__WEBPACK_IMPORTED_MODULE_1__/* .recordsAt */ .KA)(route53, zone, hostname);
            const aRecord = {
                Name: `${hostname}.`,
                Type: 'A',
                TTL,
                ResourceRecords: [{ Value: target.ip }],
            };
            if (a || txt) {
                // Others only ever CREATE and only the owner deletes, so an owner read now stays ours.
                if (!(0,_dns_owner_js__WEBPACK_IMPORTED_MODULE_1__/* .sameOwner */ .s0)((0,_dns_owner_js__WEBPACK_IMPORTED_MODULE_1__/* .readOwner */ .A7)(txt), owner))
                    throw new _dns_owner_js__WEBPACK_IMPORTED_MODULE_1__/* .NameTakenError */ .B6(hostname);
                const values = a?.ResourceRecords?.map((r) => r.Value) ?? [];
                // A second UPSERT would be harmless, but skipping it keeps a redelivered event from writing.
                if (a?.TTL === TTL && values.length === 1 && values[0] === target.ip)
                    return { url };
                await (0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .changeRecords */ .nJ)(route53, zone, [{ Action: 'UPSERT', ResourceRecordSet: aRecord }], `Could not update DNS record ${hostname}`, options.pollMs);
                return { url };
            }
            try {
                await (0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .changeRecords */ .nJ)(route53, zone, [
                    { Action: 'CREATE', ResourceRecordSet: aRecord },
                    {
                        Action: 'CREATE',
                        ResourceRecordSet: {
                            Name: `${hostname}.`,
                            Type: 'TXT',
                            TTL,
                            ResourceRecords: [{ Value: (0,_dns_owner_js__WEBPACK_IMPORTED_MODULE_1__/* .ownerValue */ .dw)(owner) }],
                        },
                    },
                ], `Could not create DNS record ${hostname}`, options.pollMs);
            }
            catch (error) {
                if (isConflict(error))
                    throw new _dns_owner_js__WEBPACK_IMPORTED_MODULE_1__/* .NameTakenError */ .B6(hostname);
                throw error;
            }
            return { url };
        },
        async unroute(hostnames, owners) {
            const wanted = new Set(hostnames.map(_router_js__WEBPACK_IMPORTED_MODULE_2__/* .hostKey */ ._9));
            if (wanted.size === 0)
                return;
            const byName = await recordsByName(route53, zone, wanted);
            const changes = [];
            for (const [name, { a, txt }] of byName) {
                const held = (0,_dns_owner_js__WEBPACK_IMPORTED_MODULE_1__/* .readOwner */ .A7)(txt);
                const expected = owners?.get(name);
                if (held) {
                    // Another PR's or repository's name is never touched, whatever asked.
                    if (!(0,_dns_owner_js__WEBPACK_IMPORTED_MODULE_1__/* .sameOwner */ .s0)(held, expected))
                        continue;
                    if (a)
                        changes.push(exactDelete(a));
                    if (txt)
                        changes.push(exactDelete(txt));
                }
                else if (a && !expected) {
                    // A plain record with no owner: only the sweep's own judgement (a preview label with no
                    // task) removes it, never a PR's teardown.
                    changes.push(exactDelete(a));
                }
            }
            for (let i = 0; i < changes.length; i += BATCH_LIMIT) {
                // Nothing waits on a delete: a stale answer for a minute harms no one.
                try {
                    await route53.send(new _aws_sdk_client_route_53__WEBPACK_IMPORTED_MODULE_3__.ChangeResourceRecordSetsCommand({
                        HostedZoneId: zone,
                        ChangeBatch: { Changes: changes.slice(i, i + BATCH_LIMIT) },
                    }));
                }
                catch (error) {
                    throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .withContext */ .eQ)(`Could not delete DNS records of ${[...wanted].join(', ')}`, error);
                }
            }
        },
        async routed() {
            const suffix = `.${(0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .hostKey */ ._9)(settings.domain)}`;
            const all = await (0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .listRecords */ .VI)(route53, zone, ['A', 'TXT']);
            const owners = new Map();
            for (const record of all.filter((r) => r.Type === 'TXT')) {
                const owner = (0,_dns_owner_js__WEBPACK_IMPORTED_MODULE_1__/* .readOwner */ .A7)(record);
                if (owner)
                    owners.set((0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .hostKey */ ._9)(record.Name ?? ''), owner);
            }
            return all.flatMap((record) => {
                const hostname = (0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .hostKey */ ._9)(record.Name ?? '');
                const ip = record.ResourceRecords?.[0]?.Value;
                const owner = owners.get(hostname);
                // Aliases point at load balancers, never at a task: not something dns mode made.
                return record.Type === 'A' && hostname.endsWith(suffix) && !record.AliasTarget && ip
                    ? [{ hostname, ip, owned: owner !== undefined, ...(owner && { owner }) }]
                    : [];
            });
        },
    };
}
async function recordsByName(route53, zone, names) {
    // One listing for many names (the sweep's batch); one read at its place for a single name.
    const found = new Map();
    if (names.size === 1) {
        const [name] = names;
        if (name !== undefined)
            found.set(name, await (0,_dns_owner_js__WEBPACK_IMPORTED_MODULE_1__/* .recordsAt */ .KA)(route53, zone, name));
        return found;
    }
    for (const record of await (0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .listRecords */ .VI)(route53, zone, ['A', 'TXT'])) {
        const name = (0,_router_js__WEBPACK_IMPORTED_MODULE_2__/* .hostKey */ ._9)(record.Name ?? '');
        if (!names.has(name))
            continue;
        const entry = found.get(name) ?? {};
        if (record.Type === 'A')
            entry.a = record;
        else
            entry.txt = record;
        found.set(name, entry);
    }
    return found;
}
/** Route 53 deletes only an exact match; moto reports a TTL next to an alias target, which it refuses. */
function exactDelete(record) {
    const { TTL, ...rest } = record;
    return { Action: 'DELETE', ResourceRecordSet: record.AliasTarget ? rest : { ...rest, TTL } };
}
/** Route 53's answer to a CREATE of a name that exists; other refusals are not a conflict. */
function isConflict(error) {
    const cause = error.cause;
    return /but it already exists/i.test(cause?.message ?? '');
}


/***/ })

};

//# sourceMappingURL=621.index.js.map