export const id = 621;
export const ids = [621];
export const modules = {

/***/ 621:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   createDnsRouter: () => (/* binding */ createDnsRouter)
/* harmony export */ });
/* harmony import */ var _router_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(979);

/** Short, so a replaced preview is reached within a minute of the switch. */
const TTL = 60;
/** dns mode: an A record `<label>.<domain>` straight to the task IP; the task serves its own port. */
function createDnsRouter(route53, settings, options = {}) {
    const zone = settings.hostedZoneId;
    return {
        async route(target) {
            const hostname = (0,_router_js__WEBPACK_IMPORTED_MODULE_0__/* .checkUnder */ .pV)(settings.domain, target.hostname);
            const url = target.port === 80 ? `http://${hostname}` : `http://${hostname}:${target.port}`;
            const current = await (0,_router_js__WEBPACK_IMPORTED_MODULE_0__/* .findARecord */ .Ar)(route53, zone, hostname);
            const values = current?.ResourceRecords?.map((r) => r.Value) ?? [];
            // A second UPSERT would be harmless, but skipping it keeps a redelivered event from writing.
            if (current?.TTL === TTL && values.length === 1 && values[0] === target.ip)
                return { url };
            await (0,_router_js__WEBPACK_IMPORTED_MODULE_0__/* .changeRecords */ .nJ)(route53, zone, [
                {
                    Action: 'UPSERT',
                    ResourceRecordSet: {
                        Name: `${hostname}.`,
                        Type: 'A',
                        TTL,
                        ResourceRecords: [{ Value: target.ip }],
                    },
                },
            ], `Could not create DNS record ${hostname}`, options.pollMs);
            return { url };
        },
        unroute: (hostnames) => (0,_router_js__WEBPACK_IMPORTED_MODULE_0__/* .deleteARecords */ .zR)(route53, zone, hostnames),
        async routed() {
            const suffix = `.${(0,_router_js__WEBPACK_IMPORTED_MODULE_0__/* .hostKey */ ._9)(settings.domain)}`;
            return (await (0,_router_js__WEBPACK_IMPORTED_MODULE_0__/* .listARecords */ .O1)(route53, zone)).flatMap((record) => {
                const hostname = (0,_router_js__WEBPACK_IMPORTED_MODULE_0__/* .hostKey */ ._9)(record.Name ?? '');
                const ip = record.ResourceRecords?.[0]?.Value;
                // Aliases point at load balancers, never at a task: not something dns mode made.
                return hostname.endsWith(suffix) && !record.AliasTarget && ip
                    ? [{ hostname, ip, owned: false }]
                    : [];
            });
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

//# sourceMappingURL=621.index.js.map