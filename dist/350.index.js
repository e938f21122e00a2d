export const id = 350;
export const ids = [350];
export const modules = {

/***/ 5350:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   albServiceClients: () => (/* binding */ albServiceClients)
/* harmony export */ });
/**
 * ACM (the listener's certificates) and Secrets Manager (`routing.auth` secrets) clients set up
 * exactly like the ELBv2 client they sit beside: same region, credentials, endpoint, retries and
 * HTTP handler (with its timeouts). `AwsClients` has no such clients; taking the settings from
 * the one it built keeps the App, the Action and tests pointing all three at the same AWS.
 */
async function albServiceClients(elbv2, withSecrets) {
    const { config } = elbv2;
    const shared = {
        region: config.region,
        credentials: config.credentials,
        maxAttempts: config.maxAttempts,
        retryMode: config.retryMode,
        requestHandler: config.requestHandler,
        ...(config.endpoint && { endpoint: config.endpoint }),
    };
    const { ACMClient: Acm } = await __webpack_require__.e(/* import() */ 490).then(__webpack_require__.t.bind(__webpack_require__, 3490, 19));
    if (!withSecrets)
        return { acm: new Acm(shared) };
    const { SecretsManagerClient: Secrets } = await __webpack_require__.e(/* import() */ 994).then(__webpack_require__.t.bind(__webpack_require__, 2994, 19));
    return { acm: new Acm(shared), secrets: new Secrets(shared) };
}


/***/ })

};

//# sourceMappingURL=350.index.js.map