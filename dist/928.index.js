export const id = 928;
export const ids = [928];
export const modules = {

/***/ 1928:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   ecrImage: () => (/* binding */ ecrImage),
/* harmony export */   ecrImageDigest: () => (/* binding */ ecrImageDigest),
/* harmony export */   ecrLogin: () => (/* binding */ ecrLogin),
/* harmony export */   ensureRepository: () => (/* binding */ ensureRepository)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_ecr__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8249);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(4296);


/** Makes sure the ECR repository exists, creating it (scan on push, immutable tags off) if asked. */
async function ensureRepository(ecr, name, create, log) {
    try {
        await ecr.send(new _aws_sdk_client_ecr__WEBPACK_IMPORTED_MODULE_1__.DescribeRepositoriesCommand({ repositoryNames: [name] }));
    }
    catch (error) {
        if (!(error instanceof _aws_sdk_client_ecr__WEBPACK_IMPORTED_MODULE_1__.RepositoryNotFoundException)) {
            throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .withContext */ .eQ)(`Could not look up ECR repository '${name}'`, error);
        }
        if (!create) {
            // Named as an input error: the fix is in the workflow (create it, or let the Action).
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz('create-repository', `is false and ECR repository '${name}' does not exist; create it first, or set create-repository: true`);
        }
        log.info(`Creating ECR repository ${name}`);
        await ecr.send(new _aws_sdk_client_ecr__WEBPACK_IMPORTED_MODULE_1__.CreateRepositoryCommand({
            repositoryName: name,
            imageScanningConfiguration: { scanOnPush: true },
        }));
    }
}
/**
 * One GetAuthorizationToken gives both the password and the registry host (so no STS call is needed
 * to learn the account). The password is masked before this function returns it.
 */
async function ecrLogin(ecr, log) {
    const response = await ecr
        .send(new _aws_sdk_client_ecr__WEBPACK_IMPORTED_MODULE_1__.GetAuthorizationTokenCommand({}))
        .catch((error) => Promise.reject((0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .withContext */ .eQ)('Could not get an ECR login token', error)));
    const data = response.authorizationData?.[0];
    if (!data?.authorizationToken || !data.proxyEndpoint) {
        throw new Error('ECR returned no authorization data');
    }
    const [username = 'AWS', ...rest] = Buffer.from(data.authorizationToken, 'base64')
        .toString()
        .split(':');
    const password = rest.join(':');
    log.secret(password);
    log.secret(data.authorizationToken);
    return { registry: new URL(data.proxyEndpoint).host, username, password };
}
/** The digest ECR holds for `repository:tag`, or undefined when no such image exists. */
async function ecrImageDigest(ecr, repository, tag, registryId) {
    return (await ecrImage(ecr, repository, tag, registryId))?.digest;
}
/** The digest and registry (account) of `repository:tag` in ECR, or undefined when absent. */
async function ecrImage(ecr, repository, tag, registryId) {
    try {
        const response = await ecr.send(new _aws_sdk_client_ecr__WEBPACK_IMPORTED_MODULE_1__.DescribeImagesCommand({
            repositoryName: repository,
            imageIds: [{ imageTag: tag }],
            ...(registryId ? { registryId } : {}),
        }));
        const detail = response.imageDetails?.[0];
        return detail?.imageDigest && detail.registryId
            ? { digest: detail.imageDigest, registryId: detail.registryId }
            : undefined;
    }
    catch (error) {
        if (error instanceof _aws_sdk_client_ecr__WEBPACK_IMPORTED_MODULE_1__.ImageNotFoundException || error instanceof _aws_sdk_client_ecr__WEBPACK_IMPORTED_MODULE_1__.RepositoryNotFoundException) {
            return undefined;
        }
        throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .withContext */ .eQ)(`Could not look up image ${repository}:${tag} in ECR`, error);
    }
}


/***/ })

};

//# sourceMappingURL=928.index.js.map