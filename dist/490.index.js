export const id = 490;
export const ids = [490];
export const modules = {

/***/ 3490:
/***/ ((__unused_webpack_module, exports, __webpack_require__) => {

var __webpack_unused_export__;
const { awsEndpointFunctions, emitWarningIfUnsupportedVersion: emitWarningIfUnsupportedVersion$1, createDefaultUserAgentProvider, getDefaultSocketTimeout, NODE_APP_ID_CONFIG_OPTIONS, getAwsRegionExtensionConfiguration, resolveAwsRegionExtensionConfiguration, resolveUserAgentConfig, resolveHostHeaderConfig, getUserAgentPlugin, getHostHeaderPlugin, getLoggerPlugin, getRecursionDetectionPlugin } = __webpack_require__(5152);
const { getHttpAuthSchemeEndpointRuleSetPlugin, DefaultIdentityProviderConfig, getHttpSigningPlugin, createPaginator } = __webpack_require__(402);
const { normalizeProvider, getSmithyContext, ServiceException, NoOpLogger, emitWarningIfUnsupportedVersion, loadConfigsForDefaultMode, getDefaultExtensionConfiguration, resolveDefaultRuntimeConfig, Client, makeBuilder, createWaiter, checkExceptions, WaiterState, createAggregatedClient } = __webpack_require__(2658);
const { Command: $Command } = __webpack_require__(2658);
__webpack_unused_export__ = $Command;
__webpack_unused_export__ = Client;
const { resolveDefaultsModeConfig, loadConfig, NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS, NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS, NODE_REGION_CONFIG_OPTIONS, NODE_REGION_CONFIG_FILE_OPTIONS, resolveRegionConfig } = __webpack_require__(7291);
const { BinaryDecisionDiagram, EndpointCache, decideEndpoint, customEndpointFunctions, resolveEndpointConfig, getEndpointPlugin } = __webpack_require__(2085);
const { parseUrl, getHttpHandlerExtensionConfiguration, resolveHttpHandlerRuntimeConfig, getContentLengthPlugin } = __webpack_require__(3422);
const { DEFAULT_RETRY_MODE, NODE_RETRY_MODE_CONFIG_OPTIONS, NODE_MAX_ATTEMPT_CONFIG_OPTIONS, resolveRetryConfig, getRetryPlugin } = __webpack_require__(3609);
const { TypeRegistry, getSchemaSerdePlugin } = __webpack_require__(6890);
const { resolveAwsSdkSigV4Config, AwsSdkSigV4Signer, NODE_AUTH_SCHEME_PREFERENCE_OPTIONS } = __webpack_require__(7523);
const { defaultProvider } = __webpack_require__(5861);
const { toUtf8, fromUtf8, toBase64, fromBase64, calculateBodyLength } = __webpack_require__(2430);
const { streamCollector, NodeHttpHandler } = __webpack_require__(1279);
const { AwsJson1_1Protocol } = __webpack_require__(7288);
const { Sha256 } = __webpack_require__(9542);

const defaultACMHttpAuthSchemeParametersProvider = async (config, context, input) => {
    return {
        operation: getSmithyContext(context).operation,
        region: await normalizeProvider(config.region)() || (() => {
            throw new Error("expected `region` to be configured for `aws.auth#sigv4`");
        })(),
    };
};
function createAwsAuthSigv4HttpAuthOption(authParameters) {
    return {
        schemeId: "aws.auth#sigv4",
        signingProperties: {
            name: "acm",
            region: authParameters.region,
        },
        propertiesExtractor: (config, context) => ({
            signingProperties: {
                config,
                context,
            },
        }),
    };
}
const defaultACMHttpAuthSchemeProvider = (authParameters) => {
    const options = [];
    switch (authParameters.operation) {
        default: {
            options.push(createAwsAuthSigv4HttpAuthOption(authParameters));
        }
    }
    return options;
};
const resolveHttpAuthSchemeConfig = (config) => {
    const config_0 = resolveAwsSdkSigV4Config(config);
    return Object.assign(config_0, {
        authSchemePreference: normalizeProvider(config.authSchemePreference ?? []),
    });
};

const resolveClientEndpointParameters = (options) => {
    return Object.assign(options, {
        useFipsEndpoint: options.useFipsEndpoint ?? false,
        useDualstackEndpoint: options.useDualstackEndpoint ?? false,
        defaultSigningName: "acm",
        clientContextParams: options.clientContextParams ?? {},
    });
};
const commonParams = {
    ServiceType: { type: "clientContextParams", name: "serviceType" },
    UseFIPS: { type: "builtInParams", name: "useFipsEndpoint" },
    Endpoint: { type: "builtInParams", name: "endpoint" },
    Region: { type: "builtInParams", name: "region" },
    UseDualStack: { type: "builtInParams", name: "useDualstackEndpoint" },
};

var version = "3.1168.0";
var packageInfo = {
	version: version};

const a = "PartitionResult", b = "stringEquals", c = "booleanEquals", d = { "fn": "getAttr", "argv": [{ "ref": a }, "name"] }, e = {};
const _data = {
    conditions: [
        ["isSet", [{ ref: "Endpoint" }]],
        ["aws.partition", [{ ref: "Region" }], a],
        [b, [{ ref: "ServiceType" }, "ACM-ACME"]],
        [c, [{ ref: "UseFIPS" }, true]],
        [b, [d, "aws"]],
        [c, [{ ref: "UseDualStack" }, true]],
        [b, [d, "aws-us-gov"]]
    ],
    results: [
        [-1],
        ["{Endpoint}", e],
        [-1, "FIPS endpoints are not available for ACME operations"],
        ["https://acm-acme.{Region}.{PartitionResult#dualStackDnsSuffix}", e],
        [-1, "ACME operations are only available in the aws and aws-us-gov partitions"],
        ["https://acm-fips.{Region}.{PartitionResult#dualStackDnsSuffix}", e],
        ["https://acm.{Region}.amazonaws.com", e],
        ["https://acm-fips.{Region}.{PartitionResult#dnsSuffix}", e],
        ["https://acm.{Region}.{PartitionResult#dualStackDnsSuffix}", e],
        ["https://acm.{Region}.{PartitionResult#dnsSuffix}", e],
        [-1, "Region must be set to resolve an endpoint."]
    ]
};
const root = 2;
const r = 100_000_000;
const nodes = new Int32Array([
    -1, 1, -1,
    0, r + 1, 3,
    1, 4, r + 10,
    2, 9, 5,
    3, 7, 6,
    5, r + 8, r + 9,
    5, r + 5, 8,
    6, r + 6, r + 7,
    3, 12, 10,
    4, r + 3, 11,
    6, r + 3, r + 4,
    4, r + 2, 13,
    6, r + 2, r + 4,
]);
const bdd = BinaryDecisionDiagram.from(nodes, root, _data.conditions, _data.results);

const cache = new EndpointCache({
    size: 50,
    params: ["Endpoint", "Region", "ServiceType", "UseDualStack", "UseFIPS"],
});
const defaultEndpointResolver = (endpointParams, context = {}) => {
    return cache.get(endpointParams, () => decideEndpoint(bdd, {
        endpointParams: endpointParams,
        logger: context.logger,
    }));
};
customEndpointFunctions.aws = awsEndpointFunctions;

class ACMServiceException extends ServiceException {
    static shapeId = "smithy.ts.sdk.synthetic.com.amazonaws.acm#ACMServiceException";
    constructor(options) {
        super(options);
        Object.setPrototypeOf(this, ACMServiceException.prototype);
    }
}

class AccessDeniedException extends ACMServiceException {
    static shapeId = "com.amazonaws.acm#AccessDeniedException";
    name = "AccessDeniedException";
    $fault = "client";
    Message;
    constructor(opts) {
        super({
            name: "AccessDeniedException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, AccessDeniedException.prototype);
        this.Message = opts.Message;
    }
}
class InvalidArnException extends ACMServiceException {
    static shapeId = "com.amazonaws.acm#InvalidArnException";
    name = "InvalidArnException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidArnException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidArnException.prototype);
    }
}
class InvalidParameterException extends ACMServiceException {
    static shapeId = "com.amazonaws.acm#InvalidParameterException";
    name = "InvalidParameterException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidParameterException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidParameterException.prototype);
    }
}
class InvalidTagException extends ACMServiceException {
    static shapeId = "com.amazonaws.acm#InvalidTagException";
    name = "InvalidTagException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidTagException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidTagException.prototype);
    }
}
class ResourceNotFoundException extends ACMServiceException {
    static shapeId = "com.amazonaws.acm#ResourceNotFoundException";
    name = "ResourceNotFoundException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "ResourceNotFoundException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ResourceNotFoundException.prototype);
    }
}
class TagPolicyException extends ACMServiceException {
    static shapeId = "com.amazonaws.acm#TagPolicyException";
    name = "TagPolicyException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "TagPolicyException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, TagPolicyException.prototype);
    }
}
class ThrottlingException extends ACMServiceException {
    static shapeId = "com.amazonaws.acm#ThrottlingException";
    name = "ThrottlingException";
    $fault = "client";
    throttlingReasons;
    constructor(opts) {
        super({
            name: "ThrottlingException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ThrottlingException.prototype);
        this.throttlingReasons = opts.throttlingReasons;
    }
}
class TooManyTagsException extends ACMServiceException {
    static shapeId = "com.amazonaws.acm#TooManyTagsException";
    name = "TooManyTagsException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "TooManyTagsException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, TooManyTagsException.prototype);
    }
}
class ValidationException extends ACMServiceException {
    static shapeId = "com.amazonaws.acm#ValidationException";
    name = "ValidationException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "ValidationException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ValidationException.prototype);
    }
}
class ConflictException extends ACMServiceException {
    static shapeId = "com.amazonaws.acm#ConflictException";
    name = "ConflictException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "ConflictException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ConflictException.prototype);
    }
}
class InternalServerException extends ACMServiceException {
    static shapeId = "com.amazonaws.acm#InternalServerException";
    name = "InternalServerException";
    $fault = "server";
    $retryable = {};
    constructor(opts) {
        super({
            name: "InternalServerException",
            $fault: "server",
            ...opts,
        });
        Object.setPrototypeOf(this, InternalServerException.prototype);
    }
}
class ServiceQuotaExceededException extends ACMServiceException {
    static shapeId = "com.amazonaws.acm#ServiceQuotaExceededException";
    name = "ServiceQuotaExceededException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "ServiceQuotaExceededException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ServiceQuotaExceededException.prototype);
    }
}
class ResourceInUseException extends ACMServiceException {
    static shapeId = "com.amazonaws.acm#ResourceInUseException";
    name = "ResourceInUseException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "ResourceInUseException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ResourceInUseException.prototype);
    }
}
class RequestInProgressException extends ACMServiceException {
    static shapeId = "com.amazonaws.acm#RequestInProgressException";
    name = "RequestInProgressException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "RequestInProgressException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, RequestInProgressException.prototype);
    }
}
class LimitExceededException extends ACMServiceException {
    static shapeId = "com.amazonaws.acm#LimitExceededException";
    name = "LimitExceededException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "LimitExceededException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, LimitExceededException.prototype);
    }
}
class InvalidArgsException extends ACMServiceException {
    static shapeId = "com.amazonaws.acm#InvalidArgsException";
    name = "InvalidArgsException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidArgsException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidArgsException.prototype);
    }
}
class InvalidDomainValidationOptionsException extends ACMServiceException {
    static shapeId = "com.amazonaws.acm#InvalidDomainValidationOptionsException";
    name = "InvalidDomainValidationOptionsException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidDomainValidationOptionsException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidDomainValidationOptionsException.prototype);
    }
}
class InvalidStateException extends ACMServiceException {
    static shapeId = "com.amazonaws.acm#InvalidStateException";
    name = "InvalidStateException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidStateException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidStateException.prototype);
    }
}

const _A = "And";
const _AA = "AcmeAccount";
const _AAI = "AcmeAccountId";
const _AAL = "AcmeAccountList";
const _AAS = "AcmeAccountSummary";
const _AAc = "AcmeAccounts";
const _AB = "AuthorizationBehavior";
const _ACM = "AcmCertificateMetadata";
const _ACMF = "AcmCertificateMetadataFilter";
const _ADE = "AccessDeniedException";
const _ADV = "AcmeDomainValidation";
const _ADVA = "AcmeDomainValidationArn";
const _ADVL = "AcmeDomainValidationList";
const _ADVS = "AcmeDomainValidationSummary";
const _ADVc = "AcmeDomainValidations";
const _AE = "AcmeEndpoint";
const _AEA = "AcmeEndpointArn";
const _AEAB = "AcmeExternalAccountBinding";
const _AEABA = "AcmeExternalAccountBindingArn";
const _AEABL = "AcmeExternalAccountBindingList";
const _AEABS = "AcmeExternalAccountBindingSummary";
const _AEL = "AcmeEndpointList";
const _AES = "AcmeEndpointSummary";
const _AEc = "AcmeEndpoints";
const _AKA = "AllowedKeyAlgorithms";
const _ATTC = "AddTagsToCertificate";
const _ATTCR = "AddTagsToCertificateRequest";
const _AU = "AccountUrl";
const _AVC = "ActiveValidationConfiguration";
const _C = "Contacts";
const _CA = "CreatedAt";
const _CAA = "CertificateAuthorityArn";
const _CADV = "CreateAcmeDomainValidation";
const _CADVR = "CreateAcmeDomainValidationRequest";
const _CADVRr = "CreateAcmeDomainValidationResponse";
const _CAE = "CreateAcmeEndpoint";
const _CAEAB = "CreateAcmeExternalAccountBinding";
const _CAEABR = "CreateAcmeExternalAccountBindingRequest";
const _CAEABRr = "CreateAcmeExternalAccountBindingResponse";
const _CAER = "CreateAcmeEndpointRequest";
const _CAERr = "CreateAcmeEndpointResponse";
const _CAL = "CustomAttributeList";
const _CAe = "CertificateAuthority";
const _CAer = "CertificateArn";
const _CAu = "CustomAttribute";
const _CAus = "CustomAttributes";
const _CC = "CertificateChain";
const _CD = "CertificateDetail";
const _CE = "ConflictException";
const _CF = "CertificateFilter";
const _CFS = "CertificateFilterStatement";
const _CFSL = "CertificateFilterStatementList";
const _CKPO = "CertificateKeyPairOrigin";
const _CKPOe = "CertificateKeyPairOrigins";
const _CL = "ContactList";
const _CM = "CertificateMetadata";
const _CN = "CommonName";
const _CNF = "CommonNameFilter";
const _CO = "CertificateOptions";
const _COo = "ComparisonOperator";
const _CS = "CertificateSummary";
const _CSL = "CertificateSummaryList";
const _CSR = "CertificateSearchResult";
const _CSRL = "CertificateSearchResultList";
const _CSe = "CertificateStatuses";
const _CT = "CertificateTags";
const _CTLP = "CertificateTransparencyLoggingPreference";
const _Ce = "Certificate";
const _Co = "Contact";
const _Cou = "Country";
const _D = "Domain";
const _DAA = "DescribeAcmeAccount";
const _DAAR = "DescribeAcmeAccountRequest";
const _DAARe = "DescribeAcmeAccountResponse";
const _DADV = "DeleteAcmeDomainValidation";
const _DADVR = "DeleteAcmeDomainValidationRequest";
const _DADVRe = "DescribeAcmeDomainValidationRequest";
const _DADVRes = "DescribeAcmeDomainValidationResponse";
const _DADVe = "DescribeAcmeDomainValidation";
const _DAE = "DeleteAcmeEndpoint";
const _DAEAB = "DeleteAcmeExternalAccountBinding";
const _DAEABR = "DeleteAcmeExternalAccountBindingRequest";
const _DAEABRe = "DescribeAcmeExternalAccountBindingRequest";
const _DAEABRes = "DescribeAcmeExternalAccountBindingResponse";
const _DAEABe = "DescribeAcmeExternalAccountBinding";
const _DAER = "DeleteAcmeEndpointRequest";
const _DAERe = "DescribeAcmeEndpointRequest";
const _DAERes = "DescribeAcmeEndpointResponse";
const _DAEe = "DescribeAcmeEndpoint";
const _DBE = "DaysBeforeExpiry";
const _DC = "DomainComponents";
const _DCR = "DeleteCertificateRequest";
const _DCRe = "DescribeCertificateRequest";
const _DCRes = "DescribeCertificateResponse";
const _DCe = "DeleteCertificate";
const _DCes = "DescribeCertificate";
const _DN = "DomainName";
const _DNF = "DnsNameFilter";
const _DNQ = "DistinguishedNameQualifier";
const _DNi = "DistinguishedName";
const _DNir = "DirectoryName";
const _DNn = "DnsName";
const _DP = "DnsPrevalidation";
const _DPD = "DnsPrevalidationDetails";
const _DPO = "DnsPrevalidationOptions";
const _DS = "DomainScope";
const _DV = "DomainValidation";
const _DVC = "DnsValidationChallenge";
const _DVL = "DomainValidationList";
const _DVMUS = "DomainValidationMethodUpdateSummary";
const _DVO = "DomainValidationOptions";
const _DVOL = "DomainValidationOptionList";
const _DVOo = "DomainValidationOption";
const _DVS = "DomainValidationSummary";
const _DVSL = "DomainValidationSummaryList";
const _E = "Exported";
const _EA = "ExpiresAt";
const _EAB = "ExternalAccountBinding";
const _EABx = "ExternalAccountBindings";
const _EC = "ExportCertificate";
const _ECR = "ExportCertificateRequest";
const _ECRx = "ExportCertificateResponse";
const _ED = "ExactDomain";
const _EE = "ExpiryEvents";
const _EEC = "ExpiryEventsConfiguration";
const _EKU = "ExtendedKeyUsages";
const _EKUL = "ExtendedKeyUsageList";
const _EKUx = "ExtendedKeyUsage";
const _EO = "ExportOption";
const _EU = "EndpointUrl";
const _EVC = "EmailValidationChallenge";
const _En = "End";
const _Ex = "Export";
const _Exp = "Expiration";
const _F = "From";
const _FD = "FailureDetails";
const _FR = "FailureReason";
const _FS = "FilterStatement";
const _Fi = "Filters";
const _Fil = "Filter";
const _GAC = "GetAccountConfiguration";
const _GACR = "GetAccountConfigurationResponse";
const _GAEABC = "GetAcmeExternalAccountBindingCredentials";
const _GAEABCR = "GetAcmeExternalAccountBindingCredentialsRequest";
const _GAEABCRe = "GetAcmeExternalAccountBindingCredentialsResponse";
const _GC = "GetCertificate";
const _GCR = "GetCertificateRequest";
const _GCRe = "GetCertificateResponse";
const _GN = "GivenName";
const _GNL = "GeneralNameList";
const _GNe = "GeneralName";
const _GQ = "GenerationQualifier";
const _HASAN = "HasAdditionalSubjectAlternativeNames";
const _HR = "HttpRedirect";
const _HZI = "HostedZoneId";
const _I = "Issuer";
const _IA = "ImportedAt";
const _IAE = "InvalidArgsException";
const _IAEn = "InvalidArnException";
const _IAp = "IpAddress";
const _IAs = "IssuedAt";
const _IC = "ImportCertificate";
const _ICR = "ImportCertificateRequest";
const _ICRm = "ImportCertificateResponse";
const _IDVOE = "InvalidDomainValidationOptionsException";
const _IPE = "InvalidParameterException";
const _ISE = "InternalServerException";
const _ISEn = "InvalidStateException";
const _IT = "IdempotencyToken";
const _ITE = "InvalidTagException";
const _IU = "InUse";
const _IUB = "InUseBy";
const _In = "Initials";
const _Inc = "Includes";
const _K = "Key";
const _KA = "KeyAlgorithm";
const _KI = "KeyId";
const _KU = "KeyUsages";
const _KUL = "KeyUsageList";
const _KUe = "KeyUsage";
const _L = "Locality";
const _LAA = "ListAcmeAccounts";
const _LAAR = "ListAcmeAccountsRequest";
const _LAARi = "ListAcmeAccountsResponse";
const _LADV = "ListAcmeDomainValidations";
const _LADVR = "ListAcmeDomainValidationsRequest";
const _LADVRi = "ListAcmeDomainValidationsResponse";
const _LAE = "ListAcmeEndpoints";
const _LAEAB = "ListAcmeExternalAccountBindings";
const _LAEABR = "ListAcmeExternalAccountBindingsRequest";
const _LAEABRi = "ListAcmeExternalAccountBindingsResponse";
const _LAER = "ListAcmeEndpointsRequest";
const _LAERi = "ListAcmeEndpointsResponse";
const _LC = "ListCertificates";
const _LCDV = "ListCertificateDomainValidations";
const _LCDVR = "ListCertificateDomainValidationsRequest";
const _LCDVRi = "ListCertificateDomainValidationsResponse";
const _LCR = "ListCertificatesRequest";
const _LCRi = "ListCertificatesResponse";
const _LEE = "LimitExceededException";
const _LTFC = "ListTagsForCertificate";
const _LTFCR = "ListTagsForCertificateRequest";
const _LTFCRi = "ListTagsForCertificateResponse";
const _LTFR = "ListTagsForResource";
const _LTFRR = "ListTagsForResourceRequest";
const _LTFRRi = "ListTagsForResourceResponse";
const _LUA = "LastUsedAt";
const _M = "Message";
const _MB = "ManagedBy";
const _MI = "MaxItems";
const _MK = "MacKey";
const _MR = "MaxResults";
const _N = "Name";
const _NA = "NotAfter";
const _NB = "NotBefore";
const _NT = "NextToken";
const _No = "Not";
const _O = "Options";
const _OI = "ObjectIdentifier";
const _OID = "OID";
const _ON = "OtherName";
const _OU = "OrganizationalUnit";
const _Or = "Organization";
const _Or_ = "Or";
const _P = "Pseudonym";
const _PAC = "PutAccountConfiguration";
const _PACR = "PutAccountConfigurationRequest";
const _PB = "PassphraseBlob";
const _PCA = "PublicCertificateAuthority";
const _PD = "PrevalidationDetails";
const _PK = "PrivateKey";
const _PKB = "PrivateKeyBlob";
const _PKT = "PublicKeyThumbprint";
const _PO = "PrevalidationOptions";
const _PT = "PrevalidationType";
const _Pa = "Passphrase";
const _R = "Reason";
const _RA = "RevokedAt";
const _RAA = "RevokeAcmeAccount";
const _RAAR = "RevokeAcmeAccountRequest";
const _RAEAB = "RevokeAcmeExternalAccountBinding";
const _RAEABR = "RevokeAcmeExternalAccountBindingRequest";
const _RAe = "ResourceArn";
const _RAeq = "RequestedAt";
const _RAo = "RoleArn";
const _RC = "RenewCertificate";
const _RCR = "RenewCertificateRequest";
const _RCRe = "RequestCertificateRequest";
const _RCReq = "RequestCertificateResponse";
const _RCRev = "RevokeCertificateRequest";
const _RCRevo = "RevokeCertificateResponse";
const _RCe = "RequestCertificate";
const _RCev = "RevokeCertificate";
const _RE = "RenewalEligibility";
const _RF = "RedirectFrom";
const _RI = "RegisteredId";
const _RIPE = "RequestInProgressException";
const _RIUE = "ResourceInUseException";
const _RN = "Rfc822Name";
const _RNFE = "ResourceNotFoundException";
const _RR = "RevocationReason";
const _RRe = "ResourceRecord";
const _RS = "RenewalStatus";
const _RSR = "RenewalStatusReason";
const _RSe = "RenewalSummary";
const _RT = "RedirectTo";
const _RTFC = "RemoveTagsFromCertificate";
const _RTFCR = "RemoveTagsFromCertificateRequest";
const _RVC = "RequestedValidationConfiguration";
const _RVE = "ResendValidationEmail";
const _RVER = "ResendValidationEmailRequest";
const _Re = "Results";
const _S = "Status";
const _SA = "SignatureAlgorithm";
const _SAN = "SubjectAlternativeNames";
const _SANF = "SubjectAlternativeNameFilter";
const _SANS = "SubjectAlternativeNameSummaries";
const _SANu = "SubjectAlternativeName";
const _SB = "SortBy";
const _SC = "SearchCertificates";
const _SCR = "SearchCertificatesRequest";
const _SCRe = "SearchCertificatesResponse";
const _SF = "SubjectFilter";
const _SN = "SerialNumber";
const _SO = "SortOrder";
const _SQEE = "ServiceQuotaExceededException";
const _Se = "Serial";
const _St = "State";
const _Sta = "Start";
const _Su = "Subject";
const _Sub = "Subdomains";
const _Sur = "Surname";
const _T = "Type";
const _TE = "ThrottlingException";
const _TK = "TagKeys";
const _TL = "TagList";
const _TMTE = "TooManyTagsException";
const _TPE = "TagPolicyException";
const _TR = "ThrottlingReason";
const _TRL = "ThrottlingReasonList";
const _TRR = "TagResourceRequest";
const _TRa = "TagResource";
const _TRi = "TimestampRange";
const _Ta = "Tags";
const _Tag = "Tag";
const _Ti = "Title";
const _To = "To";
const _UA = "UpdatedAt";
const _UADV = "UpdateAcmeDomainValidation";
const _UADVR = "UpdateAcmeDomainValidationRequest";
const _UAE = "UpdateAcmeEndpoint";
const _UAER = "UpdateAcmeEndpointRequest";
const _UCO = "UpdateCertificateOptions";
const _UCOR = "UpdateCertificateOptionsRequest";
const _UR = "UntagResource";
const _URI = "UniformResourceIdentifier";
const _URR = "UntagResourceRequest";
const _US = "UpdateSummary";
const _V = "Value";
const _VC = "ValidationConfiguration";
const _VCa = "ValidationChallenge";
const _VD = "ValidationDomain";
const _VE = "ValidationException";
const _VEa = "ValidationEmails";
const _VM = "ValidationMethod";
const _VS = "ValidationStatus";
const _W = "Wildcards";
const _XA = "X509Attributes";
const _XAF = "X509AttributeFilter";
const _aQE = "awsQueryError";
const _c = "client";
const _e = "error";
const _eKU = "extendedKeyUsage";
const _eO = "exportOption";
const _hE = "httpError";
const _kT = "keyTypes";
const _kU = "keyUsage";
const _m = "message";
const _mB = "managedBy";
const _r = "reason";
const _re = "resource";
const _s = "smithy.ts.sdk.synthetic.com.amazonaws.acm";
const _se = "server";
const _tR = "throttlingReasons";
const n0 = "com.amazonaws.acm";
const _s_registry = new TypeRegistry(_s);
var ACMServiceException$ = [-3, _s, "ACMServiceException", 0, [], []];
_s_registry.registerError(ACMServiceException$, ACMServiceException);
const n0_registry = new TypeRegistry(n0);
var AccessDeniedException$ = [-3, n0, _ADE,
    { [_aQE]: [`AccessDenied`, 403], [_e]: _c, [_hE]: 403 },
    [_M],
    [0]
];
n0_registry.registerError(AccessDeniedException$, AccessDeniedException);
var ConflictException$ = [-3, n0, _CE,
    { [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(ConflictException$, ConflictException);
var InternalServerException$ = [-3, n0, _ISE,
    { [_e]: _se },
    [_m],
    [0]
];
n0_registry.registerError(InternalServerException$, InternalServerException);
var InvalidArgsException$ = [-3, n0, _IAE,
    { [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(InvalidArgsException$, InvalidArgsException);
var InvalidArnException$ = [-3, n0, _IAEn,
    { [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(InvalidArnException$, InvalidArnException);
var InvalidDomainValidationOptionsException$ = [-3, n0, _IDVOE,
    { [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(InvalidDomainValidationOptionsException$, InvalidDomainValidationOptionsException);
var InvalidParameterException$ = [-3, n0, _IPE,
    { [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(InvalidParameterException$, InvalidParameterException);
var InvalidStateException$ = [-3, n0, _ISEn,
    { [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(InvalidStateException$, InvalidStateException);
var InvalidTagException$ = [-3, n0, _ITE,
    { [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(InvalidTagException$, InvalidTagException);
var LimitExceededException$ = [-3, n0, _LEE,
    { [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(LimitExceededException$, LimitExceededException);
var RequestInProgressException$ = [-3, n0, _RIPE,
    { [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(RequestInProgressException$, RequestInProgressException);
var ResourceInUseException$ = [-3, n0, _RIUE,
    { [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(ResourceInUseException$, ResourceInUseException);
var ResourceNotFoundException$ = [-3, n0, _RNFE,
    { [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(ResourceNotFoundException$, ResourceNotFoundException);
var ServiceQuotaExceededException$ = [-3, n0, _SQEE,
    { [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(ServiceQuotaExceededException$, ServiceQuotaExceededException);
var TagPolicyException$ = [-3, n0, _TPE,
    { [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(TagPolicyException$, TagPolicyException);
var ThrottlingException$ = [-3, n0, _TE,
    { [_aQE]: [`Throttling`, 400], [_e]: _c, [_hE]: 400 },
    [_m, _tR],
    [0, () => ThrottlingReasonList]
];
n0_registry.registerError(ThrottlingException$, ThrottlingException);
var TooManyTagsException$ = [-3, n0, _TMTE,
    { [_e]: _c },
    [_m],
    [0]
];
n0_registry.registerError(TooManyTagsException$, TooManyTagsException);
var ValidationException$ = [-3, n0, _VE,
    { [_aQE]: [`ValidationError`, 400], [_e]: _c, [_hE]: 400 },
    [_m],
    [0]
];
n0_registry.registerError(ValidationException$, ValidationException);
const errorTypeRegistries = [
    _s_registry,
    n0_registry,
];
var MacKey = [0, n0, _MK, 8, 0];
var PassphraseBlob = [0, n0, _PB, 8, 21];
var PrivateKey = [0, n0, _PK, 8, 0];
var PrivateKeyBlob = [0, n0, _PKB, 8, 21];
var AcmCertificateMetadata$ = [3, n0, _ACM,
    0,
    [_CA, _E, _IA, _IU, _IAs, _RE, _RA, _S, _RS, _T, _EO, _MB, _VM, _CKPO, _AEA, _AAI],
    [4, 2, 4, 2, 4, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0]
];
var AcmeAccount$ = [3, n0, _AA,
    0,
    [_AU, _PKT, _S, _CA, _AEABA, _C],
    [0, 0, 0, 4, 0, [() => ContactList, 0]]
];
var AcmeAccountSummary$ = [3, n0, _AAS,
    0,
    [_AU, _PKT, _S, _CA, _AEABA, _C],
    [0, 0, 0, 4, 0, [() => ContactList, 0]]
];
var AcmeDomainValidation$ = [3, n0, _ADV,
    0,
    [_ADVA, _AEA, _DN, _PT, _PD, _S, _FD, _CA, _UA],
    [0, 0, 0, 0, () => PrevalidationDetails$, 0, () => FailureDetails$, 4, 4]
];
var AcmeDomainValidationSummary$ = [3, n0, _ADVS,
    0,
    [_ADVA, _AEA, _DN, _PT, _PD, _S, _FD, _CA, _UA],
    [0, 0, 0, 0, () => PrevalidationDetails$, 0, () => FailureDetails$, 4, 4]
];
var AcmeEndpoint$ = [3, n0, _AE,
    0,
    [_AEA, _EU, _S, _FR, _AB, _Co, _CAe, _CT, _CA, _UA],
    [0, 0, 0, 0, 0, 0, () => CertificateAuthority$, () => TagList, 4, 4]
];
var AcmeEndpointSummary$ = [3, n0, _AES,
    0,
    [_AEA, _EU, _S, _FR, _AB, _Co, _CAe, _CT, _CA, _UA],
    [0, 0, 0, 0, 0, 0, () => CertificateAuthority$, () => TagList, 4, 4]
];
var AcmeExternalAccountBinding$ = [3, n0, _AEAB,
    0,
    [_AEABA, _AEA, _RAo, _EA, _RA, _LUA, _CA, _UA],
    [0, 0, 0, 4, 4, 4, 4, 4]
];
var AcmeExternalAccountBindingSummary$ = [3, n0, _AEABS,
    0,
    [_AEABA, _AEA, _RAo, _EA, _RA, _LUA, _CA, _UA],
    [0, 0, 0, 4, 4, 4, 4, 4]
];
var AddTagsToCertificateRequest$ = [3, n0, _ATTCR,
    0,
    [_CAer, _Ta],
    [0, () => TagList], 2
];
var CertificateDetail$ = [3, n0, _CD,
    0,
    [_CAer, _DN, _SAN, _MB, _DVO, _Se, _Su, _I, _CA, _IAs, _IA, _S, _RA, _RR, _NB, _NA, _KA, _SA, _IUB, _FR, _T, _RSe, _KU, _EKU, _CAA, _RE, _O, _US, _CKPO, _AEA, _AAI],
    [0, 0, 64 | 0, 0, () => DomainValidationList, 0, 0, 0, 4, 4, 4, 0, 4, 0, 4, 4, 0, 0, 64 | 0, 0, 0, () => RenewalSummary$, () => KeyUsageList, () => ExtendedKeyUsageList, 0, 0, () => CertificateOptions$, () => UpdateSummary$, 0, 0, 0]
];
var CertificateOptions$ = [3, n0, _CO,
    0,
    [_CTLP, _Ex, _VM],
    [0, 0, 0]
];
var CertificateSearchResult$ = [3, n0, _CSR,
    0,
    [_CAer, _XA, _CM],
    [0, () => X509Attributes$, () => CertificateMetadata$]
];
var CertificateSummary$ = [3, n0, _CS,
    0,
    [_CAer, _DN, _SANS, _HASAN, _S, _T, _KA, _KU, _EKU, _EO, _IU, _E, _RE, _NB, _NA, _CA, _IAs, _IA, _RA, _MB, _CKPO],
    [0, 0, 64 | 0, 2, 0, 0, 0, 64 | 0, 64 | 0, 0, 2, 2, 0, 4, 4, 4, 4, 4, 4, 0, 0]
];
var CommonNameFilter$ = [3, n0, _CNF,
    0,
    [_V, _COo],
    [0, 0], 2
];
var CreateAcmeDomainValidationRequest$ = [3, n0, _CADVR,
    0,
    [_AEA, _DN, _PO, _IT, _Ta],
    [0, 0, () => PrevalidationOptions$, [0, 4], () => TagList], 3
];
var CreateAcmeDomainValidationResponse$ = [3, n0, _CADVRr,
    0,
    [_ADVA],
    [0], 1
];
var CreateAcmeEndpointRequest$ = [3, n0, _CAER,
    0,
    [_AB, _CAe, _IT, _Co, _Ta, _CT],
    [0, () => CertificateAuthority$, [0, 4], 0, () => TagList, () => TagList], 2
];
var CreateAcmeEndpointResponse$ = [3, n0, _CAERr,
    0,
    [_AEA],
    [0]
];
var CreateAcmeExternalAccountBindingRequest$ = [3, n0, _CAEABR,
    0,
    [_AEA, _RAo, _IT, _Exp, _Ta],
    [0, 0, [0, 4], () => Expiration$, () => TagList], 2
];
var CreateAcmeExternalAccountBindingResponse$ = [3, n0, _CAEABRr,
    0,
    [_EAB],
    [() => AcmeExternalAccountBinding$]
];
var CustomAttribute$ = [3, n0, _CAu,
    0,
    [_OI, _V],
    [0, 0]
];
var DeleteAcmeDomainValidationRequest$ = [3, n0, _DADVR,
    0,
    [_ADVA],
    [0], 1
];
var DeleteAcmeEndpointRequest$ = [3, n0, _DAER,
    0,
    [_AEA],
    [0], 1
];
var DeleteAcmeExternalAccountBindingRequest$ = [3, n0, _DAEABR,
    0,
    [_AEABA],
    [0], 1
];
var DeleteCertificateRequest$ = [3, n0, _DCR,
    0,
    [_CAer],
    [0], 1
];
var DescribeAcmeAccountRequest$ = [3, n0, _DAAR,
    0,
    [_AEA, _AU],
    [0, 0], 2
];
var DescribeAcmeAccountResponse$ = [3, n0, _DAARe,
    0,
    [_AA],
    [[() => AcmeAccount$, 0]]
];
var DescribeAcmeDomainValidationRequest$ = [3, n0, _DADVRe,
    0,
    [_ADVA],
    [0], 1
];
var DescribeAcmeDomainValidationResponse$ = [3, n0, _DADVRes,
    0,
    [_ADV],
    [() => AcmeDomainValidation$]
];
var DescribeAcmeEndpointRequest$ = [3, n0, _DAERe,
    0,
    [_AEA],
    [0], 1
];
var DescribeAcmeEndpointResponse$ = [3, n0, _DAERes,
    0,
    [_AE],
    [() => AcmeEndpoint$]
];
var DescribeAcmeExternalAccountBindingRequest$ = [3, n0, _DAEABRe,
    0,
    [_AEABA],
    [0], 1
];
var DescribeAcmeExternalAccountBindingResponse$ = [3, n0, _DAEABRes,
    0,
    [_EAB],
    [() => AcmeExternalAccountBinding$]
];
var DescribeCertificateRequest$ = [3, n0, _DCRe,
    0,
    [_CAer],
    [0], 1
];
var DescribeCertificateResponse$ = [3, n0, _DCRes,
    0,
    [_Ce],
    [() => CertificateDetail$]
];
var DistinguishedName$ = [3, n0, _DNi,
    0,
    [_CN, _DC, _Cou, _CAus, _DNQ, _GQ, _GN, _In, _L, _Or, _OU, _P, _SN, _St, _Sur, _Ti],
    [0, 64 | 0, 0, () => CustomAttributeList, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
];
var DnsNameFilter$ = [3, n0, _DNF,
    0,
    [_V, _COo],
    [0, 0], 2
];
var DnsPrevalidationDetails$ = [3, n0, _DPD,
    0,
    [_DS, _HZI, _RRe],
    [() => DomainScope$, 0, () => ResourceRecord$]
];
var DnsPrevalidationOptions$ = [3, n0, _DPO,
    0,
    [_DS, _HZI],
    [() => DomainScope$, 0]
];
var DnsValidationChallenge$ = [3, n0, _DVC,
    0,
    [_RRe],
    [() => ResourceRecord$]
];
var DomainScope$ = [3, n0, _DS,
    0,
    [_ED, _Sub, _W],
    [0, 0, 0]
];
var DomainValidation$ = [3, n0, _DV,
    0,
    [_DN, _VEa, _VD, _VS, _RRe, _HR, _VM],
    [0, 64 | 0, 0, 0, () => ResourceRecord$, () => HttpRedirect$, 0], 1
];
var DomainValidationMethodUpdateSummary$ = [3, n0, _DVMUS,
    0,
    [_F, _To],
    [0, 0]
];
var DomainValidationOption$ = [3, n0, _DVOo,
    0,
    [_DN, _VD],
    [0, 0], 2
];
var DomainValidationSummary$ = [3, n0, _DVS,
    0,
    [_DN, _AVC, _RVC],
    [0, () => ValidationConfiguration$, () => ValidationConfiguration$], 1
];
var EmailValidationChallenge$ = [3, n0, _EVC,
    0,
    [_VEa, _VD],
    [64 | 0, 0]
];
var Expiration$ = [3, n0, _Exp,
    0,
    [_V, _T],
    [1, 0], 2
];
var ExpiryEventsConfiguration$ = [3, n0, _EEC,
    0,
    [_DBE],
    [1]
];
var ExportCertificateRequest$ = [3, n0, _ECR,
    0,
    [_CAer, _Pa],
    [0, [() => PassphraseBlob, 0]], 2
];
var ExportCertificateResponse$ = [3, n0, _ECRx,
    0,
    [_Ce, _CC, _PK],
    [0, 0, [() => PrivateKey, 0]]
];
var ExtendedKeyUsage$ = [3, n0, _EKUx,
    0,
    [_N, _OID],
    [0, 0]
];
var FailureDetails$ = [3, n0, _FD,
    0,
    [_R, _M],
    [0, 0]
];
var Filters$ = [3, n0, _Fi,
    0,
    [_eKU, _kU, _kT, _eO, _mB],
    [64 | 0, 64 | 0, 64 | 0, 0, 0]
];
var GetAccountConfigurationResponse$ = [3, n0, _GACR,
    0,
    [_EE],
    [() => ExpiryEventsConfiguration$]
];
var GetAcmeExternalAccountBindingCredentialsRequest$ = [3, n0, _GAEABCR,
    0,
    [_AEABA],
    [0], 1
];
var GetAcmeExternalAccountBindingCredentialsResponse$ = [3, n0, _GAEABCRe,
    0,
    [_KI, _MK],
    [0, [() => MacKey, 0]]
];
var GetCertificateRequest$ = [3, n0, _GCR,
    0,
    [_CAer],
    [0], 1
];
var GetCertificateResponse$ = [3, n0, _GCRe,
    0,
    [_Ce, _CC],
    [0, 0]
];
var HttpRedirect$ = [3, n0, _HR,
    0,
    [_RF, _RT],
    [0, 0]
];
var ImportCertificateRequest$ = [3, n0, _ICR,
    0,
    [_Ce, _PK, _CAer, _CC, _Ta],
    [21, [() => PrivateKeyBlob, 0], 0, 21, () => TagList], 2
];
var ImportCertificateResponse$ = [3, n0, _ICRm,
    0,
    [_CAer],
    [0]
];
var KeyUsage$ = [3, n0, _KUe,
    0,
    [_N],
    [0]
];
var ListAcmeAccountsRequest$ = [3, n0, _LAAR,
    0,
    [_AEA, _NT, _MR],
    [0, 0, 1], 1
];
var ListAcmeAccountsResponse$ = [3, n0, _LAARi,
    0,
    [_AAc, _NT],
    [[() => AcmeAccountList, 0], 0]
];
var ListAcmeDomainValidationsRequest$ = [3, n0, _LADVR,
    0,
    [_AEA, _NT, _MR],
    [0, 0, 1], 1
];
var ListAcmeDomainValidationsResponse$ = [3, n0, _LADVRi,
    0,
    [_ADVc, _NT],
    [() => AcmeDomainValidationList, 0]
];
var ListAcmeEndpointsRequest$ = [3, n0, _LAER,
    0,
    [_NT, _MR],
    [0, 1]
];
var ListAcmeEndpointsResponse$ = [3, n0, _LAERi,
    0,
    [_AEc, _NT],
    [() => AcmeEndpointList, 0]
];
var ListAcmeExternalAccountBindingsRequest$ = [3, n0, _LAEABR,
    0,
    [_AEA, _NT, _MR],
    [0, 0, 1], 1
];
var ListAcmeExternalAccountBindingsResponse$ = [3, n0, _LAEABRi,
    0,
    [_EABx, _NT],
    [() => AcmeExternalAccountBindingList, 0]
];
var ListCertificateDomainValidationsRequest$ = [3, n0, _LCDVR,
    0,
    [_CAer, _NT, _MI],
    [0, 0, 1], 1
];
var ListCertificateDomainValidationsResponse$ = [3, n0, _LCDVRi,
    0,
    [_DVSL, _NT],
    [() => DomainValidationSummaryList, 0]
];
var ListCertificatesRequest$ = [3, n0, _LCR,
    0,
    [_CSe, _CKPOe, _Inc, _NT, _MI, _SB, _SO],
    [64 | 0, 64 | 0, () => Filters$, 0, 1, 0, 0]
];
var ListCertificatesResponse$ = [3, n0, _LCRi,
    0,
    [_NT, _CSL],
    [0, () => CertificateSummaryList]
];
var ListTagsForCertificateRequest$ = [3, n0, _LTFCR,
    0,
    [_CAer],
    [0], 1
];
var ListTagsForCertificateResponse$ = [3, n0, _LTFCRi,
    0,
    [_Ta],
    [() => TagList]
];
var ListTagsForResourceRequest$ = [3, n0, _LTFRR,
    0,
    [_RAe],
    [0], 1
];
var ListTagsForResourceResponse$ = [3, n0, _LTFRRi,
    0,
    [_Ta],
    [() => TagList]
];
var OtherName$ = [3, n0, _ON,
    0,
    [_OI, _V],
    [0, 0]
];
var PublicCertificateAuthority$ = [3, n0, _PCA,
    0,
    [_AKA],
    [64 | 0]
];
var PutAccountConfigurationRequest$ = [3, n0, _PACR,
    0,
    [_IT, _EE],
    [0, () => ExpiryEventsConfiguration$], 1
];
var RemoveTagsFromCertificateRequest$ = [3, n0, _RTFCR,
    0,
    [_CAer, _Ta],
    [0, () => TagList], 2
];
var RenewalSummary$ = [3, n0, _RSe,
    0,
    [_RS, _DVO, _UA, _RSR],
    [0, () => DomainValidationList, 4, 0], 3
];
var RenewCertificateRequest$ = [3, n0, _RCR,
    0,
    [_CAer],
    [0], 1
];
var RequestCertificateRequest$ = [3, n0, _RCRe,
    0,
    [_DN, _VM, _SAN, _IT, _DVO, _O, _CAA, _Ta, _KA, _MB],
    [0, 0, 64 | 0, 0, () => DomainValidationOptionList, () => CertificateOptions$, 0, () => TagList, 0, 0], 1
];
var RequestCertificateResponse$ = [3, n0, _RCReq,
    0,
    [_CAer],
    [0]
];
var ResendValidationEmailRequest$ = [3, n0, _RVER,
    0,
    [_CAer, _D, _VD],
    [0, 0, 0], 3
];
var ResourceRecord$ = [3, n0, _RRe,
    0,
    [_N, _T, _V],
    [0, 0, 0], 3
];
var RevokeAcmeAccountRequest$ = [3, n0, _RAAR,
    0,
    [_AEA, _AU],
    [0, 0], 2
];
var RevokeAcmeExternalAccountBindingRequest$ = [3, n0, _RAEABR,
    0,
    [_AEABA],
    [0], 1
];
var RevokeCertificateRequest$ = [3, n0, _RCRev,
    0,
    [_CAer, _RR],
    [0, 0], 2
];
var RevokeCertificateResponse$ = [3, n0, _RCRevo,
    0,
    [_CAer],
    [0]
];
var SearchCertificatesRequest$ = [3, n0, _SCR,
    0,
    [_FS, _MR, _NT, _SB, _SO],
    [() => CertificateFilterStatement$, 1, 0, 0, 0]
];
var SearchCertificatesResponse$ = [3, n0, _SCRe,
    0,
    [_Re, _NT],
    [() => CertificateSearchResultList, 0]
];
var Tag$ = [3, n0, _Tag,
    0,
    [_K, _V],
    [0, 0], 1
];
var TagResourceRequest$ = [3, n0, _TRR,
    0,
    [_RAe, _Ta],
    [0, () => TagList], 2
];
var ThrottlingReason$ = [3, n0, _TR,
    0,
    [_r, _re],
    [0, 0]
];
var TimestampRange$ = [3, n0, _TRi,
    0,
    [_Sta, _En],
    [4, 4]
];
var UntagResourceRequest$ = [3, n0, _URR,
    0,
    [_RAe, _TK],
    [0, 64 | 0], 2
];
var UpdateAcmeDomainValidationRequest$ = [3, n0, _UADVR,
    0,
    [_ADVA, _PO],
    [0, () => PrevalidationOptions$], 1
];
var UpdateAcmeEndpointRequest$ = [3, n0, _UAER,
    0,
    [_AEA, _AB, _Co, _CAe],
    [0, 0, 0, () => CertificateAuthority$], 1
];
var UpdateCertificateOptionsRequest$ = [3, n0, _UCOR,
    0,
    [_CAer, _O],
    [0, () => CertificateOptions$], 2
];
var UpdateSummary$ = [3, n0, _US,
    0,
    [_S, _T, _DVMUS, _RAeq, _UA],
    [0, 0, () => DomainValidationMethodUpdateSummary$, 4, 4]
];
var ValidationConfiguration$ = [3, n0, _VC,
    0,
    [_VM, _VCa, _VS],
    [0, () => ValidationChallenge$, 0]
];
var X509Attributes$ = [3, n0, _XA,
    0,
    [_I, _Su, _SAN, _EKU, _KA, _KU, _SN, _NA, _NB],
    [() => DistinguishedName$, () => DistinguishedName$, () => GeneralNameList, 64 | 0, 0, 64 | 0, 0, 4, 4]
];
var __Unit = "unit";
var AcmeAccountList = [1, n0, _AAL,
    0, [() => AcmeAccountSummary$,
        0]
];
var AcmeDomainValidationList = [1, n0, _ADVL,
    0, () => AcmeDomainValidationSummary$
];
var AcmeEndpointList = [1, n0, _AEL,
    0, () => AcmeEndpointSummary$
];
var AcmeExternalAccountBindingList = [1, n0, _AEABL,
    0, () => AcmeExternalAccountBindingSummary$
];
var CertificateFilterStatementList = [1, n0, _CFSL,
    0, () => CertificateFilterStatement$
];
var CertificateSearchResultList = [1, n0, _CSRL,
    0, () => CertificateSearchResult$
];
var CertificateSummaryList = [1, n0, _CSL,
    0, () => CertificateSummary$
];
var ContactList = [1, n0, _CL,
    8, 0
];
var CustomAttributeList = [1, n0, _CAL,
    0, () => CustomAttribute$
];
var DomainValidationList = [1, n0, _DVL,
    0, () => DomainValidation$
];
var DomainValidationOptionList = [1, n0, _DVOL,
    0, () => DomainValidationOption$
];
var DomainValidationSummaryList = [1, n0, _DVSL,
    0, () => DomainValidationSummary$
];
var ExtendedKeyUsageList = [1, n0, _EKUL,
    0, () => ExtendedKeyUsage$
];
var GeneralNameList = [1, n0, _GNL,
    0, () => GeneralName$
];
var KeyUsageList = [1, n0, _KUL,
    0, () => KeyUsage$
];
var TagList = [1, n0, _TL,
    0, () => Tag$
];
var ThrottlingReasonList = [1, n0, _TRL,
    0, () => ThrottlingReason$
];
var AcmCertificateMetadataFilter$ = [4, n0, _ACMF,
    0,
    [_S, _RS, _T, _IU, _E, _EO, _MB, _VM, _CKPO, _AEA, _AAI],
    [0, 0, 0, 2, 2, 0, 0, 0, 0, 0, 0]
];
var CertificateAuthority$ = [4, n0, _CAe,
    0,
    [_PCA],
    [() => PublicCertificateAuthority$]
];
var CertificateFilter$ = [4, n0, _CF,
    0,
    [_CAer, _XAF, _ACMF],
    [0, () => X509AttributeFilter$, () => AcmCertificateMetadataFilter$]
];
var CertificateFilterStatement$ = [4, n0, _CFS,
    0,
    [_A, _Or_, _No, _Fil],
    [() => CertificateFilterStatementList, () => CertificateFilterStatementList, () => CertificateFilterStatement$, () => CertificateFilter$]
];
var CertificateMetadata$ = [4, n0, _CM,
    0,
    [_ACM],
    [() => AcmCertificateMetadata$]
];
var GeneralName$ = [4, n0, _GNe,
    0,
    [_DNir, _DNn, _IAp, _ON, _RI, _RN, _URI],
    [() => DistinguishedName$, 0, 0, () => OtherName$, 0, 0, 0]
];
var PrevalidationDetails$ = [4, n0, _PD,
    0,
    [_DP],
    [() => DnsPrevalidationDetails$]
];
var PrevalidationOptions$ = [4, n0, _PO,
    0,
    [_DP],
    [() => DnsPrevalidationOptions$]
];
var SubjectAlternativeNameFilter$ = [4, n0, _SANF,
    0,
    [_DNn],
    [() => DnsNameFilter$]
];
var SubjectFilter$ = [4, n0, _SF,
    0,
    [_CN],
    [() => CommonNameFilter$]
];
var ValidationChallenge$ = [4, n0, _VCa,
    0,
    [_EVC, _DVC],
    [() => EmailValidationChallenge$, () => DnsValidationChallenge$]
];
var X509AttributeFilter$ = [4, n0, _XAF,
    0,
    [_Su, _SANu, _EKUx, _KUe, _KA, _SN, _NA, _NB],
    [() => SubjectFilter$, () => SubjectAlternativeNameFilter$, 0, 0, 0, 0, () => TimestampRange$, () => TimestampRange$]
];
var AddTagsToCertificate$ = [9, n0, _ATTC,
    0, () => AddTagsToCertificateRequest$, () => __Unit
];
var CreateAcmeDomainValidation$ = [9, n0, _CADV,
    0, () => CreateAcmeDomainValidationRequest$, () => CreateAcmeDomainValidationResponse$
];
var CreateAcmeEndpoint$ = [9, n0, _CAE,
    2, () => CreateAcmeEndpointRequest$, () => CreateAcmeEndpointResponse$
];
var CreateAcmeExternalAccountBinding$ = [9, n0, _CAEAB,
    2, () => CreateAcmeExternalAccountBindingRequest$, () => CreateAcmeExternalAccountBindingResponse$
];
var DeleteAcmeDomainValidation$ = [9, n0, _DADV,
    2, () => DeleteAcmeDomainValidationRequest$, () => __Unit
];
var DeleteAcmeEndpoint$ = [9, n0, _DAE,
    2, () => DeleteAcmeEndpointRequest$, () => __Unit
];
var DeleteAcmeExternalAccountBinding$ = [9, n0, _DAEAB,
    2, () => DeleteAcmeExternalAccountBindingRequest$, () => __Unit
];
var DeleteCertificate$ = [9, n0, _DCe,
    0, () => DeleteCertificateRequest$, () => __Unit
];
var DescribeAcmeAccount$ = [9, n0, _DAA,
    0, () => DescribeAcmeAccountRequest$, () => DescribeAcmeAccountResponse$
];
var DescribeAcmeDomainValidation$ = [9, n0, _DADVe,
    0, () => DescribeAcmeDomainValidationRequest$, () => DescribeAcmeDomainValidationResponse$
];
var DescribeAcmeEndpoint$ = [9, n0, _DAEe,
    0, () => DescribeAcmeEndpointRequest$, () => DescribeAcmeEndpointResponse$
];
var DescribeAcmeExternalAccountBinding$ = [9, n0, _DAEABe,
    0, () => DescribeAcmeExternalAccountBindingRequest$, () => DescribeAcmeExternalAccountBindingResponse$
];
var DescribeCertificate$ = [9, n0, _DCes,
    0, () => DescribeCertificateRequest$, () => DescribeCertificateResponse$
];
var ExportCertificate$ = [9, n0, _EC,
    0, () => ExportCertificateRequest$, () => ExportCertificateResponse$
];
var GetAccountConfiguration$ = [9, n0, _GAC,
    0, () => __Unit, () => GetAccountConfigurationResponse$
];
var GetAcmeExternalAccountBindingCredentials$ = [9, n0, _GAEABC,
    0, () => GetAcmeExternalAccountBindingCredentialsRequest$, () => GetAcmeExternalAccountBindingCredentialsResponse$
];
var GetCertificate$ = [9, n0, _GC,
    0, () => GetCertificateRequest$, () => GetCertificateResponse$
];
var ImportCertificate$ = [9, n0, _IC,
    0, () => ImportCertificateRequest$, () => ImportCertificateResponse$
];
var ListAcmeAccounts$ = [9, n0, _LAA,
    0, () => ListAcmeAccountsRequest$, () => ListAcmeAccountsResponse$
];
var ListAcmeDomainValidations$ = [9, n0, _LADV,
    0, () => ListAcmeDomainValidationsRequest$, () => ListAcmeDomainValidationsResponse$
];
var ListAcmeEndpoints$ = [9, n0, _LAE,
    0, () => ListAcmeEndpointsRequest$, () => ListAcmeEndpointsResponse$
];
var ListAcmeExternalAccountBindings$ = [9, n0, _LAEAB,
    0, () => ListAcmeExternalAccountBindingsRequest$, () => ListAcmeExternalAccountBindingsResponse$
];
var ListCertificateDomainValidations$ = [9, n0, _LCDV,
    0, () => ListCertificateDomainValidationsRequest$, () => ListCertificateDomainValidationsResponse$
];
var ListCertificates$ = [9, n0, _LC,
    0, () => ListCertificatesRequest$, () => ListCertificatesResponse$
];
var ListTagsForCertificate$ = [9, n0, _LTFC,
    0, () => ListTagsForCertificateRequest$, () => ListTagsForCertificateResponse$
];
var ListTagsForResource$ = [9, n0, _LTFR,
    0, () => ListTagsForResourceRequest$, () => ListTagsForResourceResponse$
];
var PutAccountConfiguration$ = [9, n0, _PAC,
    0, () => PutAccountConfigurationRequest$, () => __Unit
];
var RemoveTagsFromCertificate$ = [9, n0, _RTFC,
    0, () => RemoveTagsFromCertificateRequest$, () => __Unit
];
var RenewCertificate$ = [9, n0, _RC,
    0, () => RenewCertificateRequest$, () => __Unit
];
var RequestCertificate$ = [9, n0, _RCe,
    0, () => RequestCertificateRequest$, () => RequestCertificateResponse$
];
var ResendValidationEmail$ = [9, n0, _RVE,
    0, () => ResendValidationEmailRequest$, () => __Unit
];
var RevokeAcmeAccount$ = [9, n0, _RAA,
    2, () => RevokeAcmeAccountRequest$, () => __Unit
];
var RevokeAcmeExternalAccountBinding$ = [9, n0, _RAEAB,
    2, () => RevokeAcmeExternalAccountBindingRequest$, () => __Unit
];
var RevokeCertificate$ = [9, n0, _RCev,
    0, () => RevokeCertificateRequest$, () => RevokeCertificateResponse$
];
var SearchCertificates$ = [9, n0, _SC,
    0, () => SearchCertificatesRequest$, () => SearchCertificatesResponse$
];
var TagResource$ = [9, n0, _TRa,
    0, () => TagResourceRequest$, () => __Unit
];
var UntagResource$ = [9, n0, _UR,
    0, () => UntagResourceRequest$, () => __Unit
];
var UpdateAcmeDomainValidation$ = [9, n0, _UADV,
    2, () => UpdateAcmeDomainValidationRequest$, () => __Unit
];
var UpdateAcmeEndpoint$ = [9, n0, _UAE,
    2, () => UpdateAcmeEndpointRequest$, () => __Unit
];
var UpdateCertificateOptions$ = [9, n0, _UCO,
    0, () => UpdateCertificateOptionsRequest$, () => __Unit
];

const getRuntimeConfig$1 = (config) => {
    return {
        apiVersion: "2015-12-08",
        base64Decoder: config?.base64Decoder ?? fromBase64,
        base64Encoder: config?.base64Encoder ?? toBase64,
        disableHostPrefix: config?.disableHostPrefix ?? false,
        endpointProvider: config?.endpointProvider ?? defaultEndpointResolver,
        extensions: config?.extensions ?? [],
        httpAuthSchemeProvider: config?.httpAuthSchemeProvider ?? defaultACMHttpAuthSchemeProvider,
        httpAuthSchemes: config?.httpAuthSchemes ?? [
            {
                schemeId: "aws.auth#sigv4",
                identityProvider: (ipc) => ipc.getIdentityProvider("aws.auth#sigv4"),
                signer: new AwsSdkSigV4Signer(),
            },
        ],
        logger: config?.logger ?? new NoOpLogger(),
        protocol: config?.protocol ?? AwsJson1_1Protocol,
        protocolSettings: config?.protocolSettings ?? {
            defaultNamespace: "com.amazonaws.acm",
            errorTypeRegistries,
            version: "2015-12-08",
            serviceTarget: "CertificateManager",
        },
        serviceId: config?.serviceId ?? "ACM",
        sha256: config?.sha256 ?? Sha256,
        urlParser: config?.urlParser ?? parseUrl,
        utf8Decoder: config?.utf8Decoder ?? fromUtf8,
        utf8Encoder: config?.utf8Encoder ?? toUtf8,
    };
};

const getRuntimeConfig = (config) => {
    emitWarningIfUnsupportedVersion(process.version);
    const defaultsMode = resolveDefaultsModeConfig(config);
    const defaultConfigProvider = () => defaultsMode().then(loadConfigsForDefaultMode);
    const clientSharedValues = getRuntimeConfig$1(config);
    emitWarningIfUnsupportedVersion$1(process.version);
    const loaderConfig = {
        profile: config?.profile,
        logger: clientSharedValues.logger,
    };
    return {
        ...clientSharedValues,
        ...config,
        runtime: "node",
        defaultsMode,
        authSchemePreference: config?.authSchemePreference ?? loadConfig(NODE_AUTH_SCHEME_PREFERENCE_OPTIONS, loaderConfig),
        bodyLengthChecker: config?.bodyLengthChecker ?? calculateBodyLength,
        credentialDefaultProvider: config?.credentialDefaultProvider ?? defaultProvider,
        defaultSocketTimeout: getDefaultSocketTimeout(config?.requestHandler, 300_000),
        defaultUserAgentProvider: config?.defaultUserAgentProvider ?? createDefaultUserAgentProvider({ serviceId: clientSharedValues.serviceId, clientVersion: packageInfo.version }),
        maxAttempts: config?.maxAttempts ?? loadConfig(NODE_MAX_ATTEMPT_CONFIG_OPTIONS, config),
        region: config?.region ?? loadConfig(NODE_REGION_CONFIG_OPTIONS, { ...NODE_REGION_CONFIG_FILE_OPTIONS, ...loaderConfig }),
        requestHandler: NodeHttpHandler.create(config?.requestHandler ?? defaultConfigProvider),
        retryMode: config?.retryMode ??
            loadConfig({
                ...NODE_RETRY_MODE_CONFIG_OPTIONS,
                default: async () => (await defaultConfigProvider()).retryMode || DEFAULT_RETRY_MODE,
            }, config),
        streamCollector: config?.streamCollector ?? streamCollector,
        useDualstackEndpoint: config?.useDualstackEndpoint ?? loadConfig(NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS, loaderConfig),
        useFipsEndpoint: config?.useFipsEndpoint ?? loadConfig(NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS, loaderConfig),
        userAgentAppId: config?.userAgentAppId ?? loadConfig(NODE_APP_ID_CONFIG_OPTIONS, loaderConfig),
    };
};

const getHttpAuthExtensionConfiguration = (runtimeConfig) => {
    const _httpAuthSchemes = runtimeConfig.httpAuthSchemes;
    let _httpAuthSchemeProvider = runtimeConfig.httpAuthSchemeProvider;
    let _credentials = runtimeConfig.credentials;
    return {
        setHttpAuthScheme(httpAuthScheme) {
            const index = _httpAuthSchemes.findIndex((scheme) => scheme.schemeId === httpAuthScheme.schemeId);
            if (index === -1) {
                _httpAuthSchemes.push(httpAuthScheme);
            }
            else {
                _httpAuthSchemes.splice(index, 1, httpAuthScheme);
            }
        },
        httpAuthSchemes() {
            return _httpAuthSchemes;
        },
        setHttpAuthSchemeProvider(httpAuthSchemeProvider) {
            _httpAuthSchemeProvider = httpAuthSchemeProvider;
        },
        httpAuthSchemeProvider() {
            return _httpAuthSchemeProvider;
        },
        setCredentials(credentials) {
            _credentials = credentials;
        },
        credentials() {
            return _credentials;
        },
    };
};
const resolveHttpAuthRuntimeConfig = (config) => {
    return {
        httpAuthSchemes: config.httpAuthSchemes(),
        httpAuthSchemeProvider: config.httpAuthSchemeProvider(),
        credentials: config.credentials(),
    };
};

const resolveRuntimeExtensions = (runtimeConfig, extensions) => {
    const extensionConfiguration = Object.assign(getAwsRegionExtensionConfiguration(runtimeConfig), getDefaultExtensionConfiguration(runtimeConfig), getHttpHandlerExtensionConfiguration(runtimeConfig), getHttpAuthExtensionConfiguration(runtimeConfig));
    extensions.forEach((extension) => extension.configure(extensionConfiguration));
    return Object.assign(runtimeConfig, resolveAwsRegionExtensionConfiguration(extensionConfiguration), resolveDefaultRuntimeConfig(extensionConfiguration), resolveHttpHandlerRuntimeConfig(extensionConfiguration), resolveHttpAuthRuntimeConfig(extensionConfiguration));
};

class ACMClient extends Client {
    config;
    constructor(...[configuration]) {
        const _config_0 = getRuntimeConfig(configuration || {});
        super(_config_0);
        this.initConfig = _config_0;
        const _config_1 = resolveClientEndpointParameters(_config_0);
        const _config_2 = resolveUserAgentConfig(_config_1);
        const _config_3 = resolveRetryConfig(_config_2);
        const _config_4 = resolveRegionConfig(_config_3);
        const _config_5 = resolveHostHeaderConfig(_config_4);
        const _config_6 = resolveEndpointConfig(_config_5);
        const _config_7 = resolveHttpAuthSchemeConfig(_config_6);
        const _config_8 = resolveRuntimeExtensions(_config_7, configuration?.extensions || []);
        this.config = _config_8;
        this.middlewareStack.use(getSchemaSerdePlugin(this.config));
        this.middlewareStack.use(getUserAgentPlugin(this.config));
        this.middlewareStack.use(getRetryPlugin(this.config));
        this.middlewareStack.use(getContentLengthPlugin(this.config));
        this.middlewareStack.use(getHostHeaderPlugin(this.config));
        this.middlewareStack.use(getLoggerPlugin(this.config));
        this.middlewareStack.use(getRecursionDetectionPlugin(this.config));
        this.middlewareStack.use(getHttpAuthSchemeEndpointRuleSetPlugin(this.config, {
            httpAuthSchemeParametersProvider: defaultACMHttpAuthSchemeParametersProvider,
            identityProviderConfigProvider: async (config) => new DefaultIdentityProviderConfig({
                "aws.auth#sigv4": config.credentials,
            }),
        }));
        this.middlewareStack.use(getHttpSigningPlugin(this.config));
    }
    destroy() {
        super.destroy();
    }
}

const command = makeBuilder(commonParams, "CertificateManager", "ACMClient", getEndpointPlugin);
const _ep0 = {
    ServiceType: { type: "staticContextParams", value: `ACM` },
};
const _ep1 = {
    ServiceType: { type: "staticContextParams", value: `ACM-ACME` },
};
const _mw0 = (Command, cs, config, o) => [];

class AddTagsToCertificateCommand extends command(_ep0, _mw0, "AddTagsToCertificate", AddTagsToCertificate$) {
}

class CreateAcmeDomainValidationCommand extends command(_ep1, _mw0, "CreateAcmeDomainValidation", CreateAcmeDomainValidation$) {
}

class CreateAcmeEndpointCommand extends command(_ep1, _mw0, "CreateAcmeEndpoint", CreateAcmeEndpoint$) {
}

class CreateAcmeExternalAccountBindingCommand extends command(_ep1, _mw0, "CreateAcmeExternalAccountBinding", CreateAcmeExternalAccountBinding$) {
}

class DeleteAcmeDomainValidationCommand extends command(_ep1, _mw0, "DeleteAcmeDomainValidation", DeleteAcmeDomainValidation$) {
}

class DeleteAcmeEndpointCommand extends command(_ep1, _mw0, "DeleteAcmeEndpoint", DeleteAcmeEndpoint$) {
}

class DeleteAcmeExternalAccountBindingCommand extends command(_ep1, _mw0, "DeleteAcmeExternalAccountBinding", DeleteAcmeExternalAccountBinding$) {
}

class DeleteCertificateCommand extends command(_ep0, _mw0, "DeleteCertificate", DeleteCertificate$) {
}

class DescribeAcmeAccountCommand extends command(_ep1, _mw0, "DescribeAcmeAccount", DescribeAcmeAccount$) {
}

class DescribeAcmeDomainValidationCommand extends command(_ep1, _mw0, "DescribeAcmeDomainValidation", DescribeAcmeDomainValidation$) {
}

class DescribeAcmeEndpointCommand extends command(_ep1, _mw0, "DescribeAcmeEndpoint", DescribeAcmeEndpoint$) {
}

class DescribeAcmeExternalAccountBindingCommand extends command(_ep1, _mw0, "DescribeAcmeExternalAccountBinding", DescribeAcmeExternalAccountBinding$) {
}

class DescribeCertificateCommand extends command(_ep0, _mw0, "DescribeCertificate", DescribeCertificate$) {
}

class ExportCertificateCommand extends command(_ep0, _mw0, "ExportCertificate", ExportCertificate$) {
}

class GetAccountConfigurationCommand extends command(_ep0, _mw0, "GetAccountConfiguration", GetAccountConfiguration$) {
}

class GetAcmeExternalAccountBindingCredentialsCommand extends command(_ep1, _mw0, "GetAcmeExternalAccountBindingCredentials", GetAcmeExternalAccountBindingCredentials$) {
}

class GetCertificateCommand extends command(_ep0, _mw0, "GetCertificate", GetCertificate$) {
}

class ImportCertificateCommand extends command(_ep0, _mw0, "ImportCertificate", ImportCertificate$) {
}

class ListAcmeAccountsCommand extends command(_ep1, _mw0, "ListAcmeAccounts", ListAcmeAccounts$) {
}

class ListAcmeDomainValidationsCommand extends command(_ep1, _mw0, "ListAcmeDomainValidations", ListAcmeDomainValidations$) {
}

class ListAcmeEndpointsCommand extends command(_ep1, _mw0, "ListAcmeEndpoints", ListAcmeEndpoints$) {
}

class ListAcmeExternalAccountBindingsCommand extends command(_ep1, _mw0, "ListAcmeExternalAccountBindings", ListAcmeExternalAccountBindings$) {
}

class ListCertificateDomainValidationsCommand extends command(_ep0, _mw0, "ListCertificateDomainValidations", ListCertificateDomainValidations$) {
}

class ListCertificatesCommand extends command(_ep0, _mw0, "ListCertificates", ListCertificates$) {
}

class ListTagsForCertificateCommand extends command(_ep0, _mw0, "ListTagsForCertificate", ListTagsForCertificate$) {
}

class ListTagsForResourceCommand extends command(_ep0, _mw0, "ListTagsForResource", ListTagsForResource$) {
}

class PutAccountConfigurationCommand extends command(_ep0, _mw0, "PutAccountConfiguration", PutAccountConfiguration$) {
}

class RemoveTagsFromCertificateCommand extends command(_ep0, _mw0, "RemoveTagsFromCertificate", RemoveTagsFromCertificate$) {
}

class RenewCertificateCommand extends command(_ep0, _mw0, "RenewCertificate", RenewCertificate$) {
}

class RequestCertificateCommand extends command(_ep0, _mw0, "RequestCertificate", RequestCertificate$) {
}

class ResendValidationEmailCommand extends command(_ep0, _mw0, "ResendValidationEmail", ResendValidationEmail$) {
}

class RevokeAcmeAccountCommand extends command(_ep1, _mw0, "RevokeAcmeAccount", RevokeAcmeAccount$) {
}

class RevokeAcmeExternalAccountBindingCommand extends command(_ep1, _mw0, "RevokeAcmeExternalAccountBinding", RevokeAcmeExternalAccountBinding$) {
}

class RevokeCertificateCommand extends command(_ep0, _mw0, "RevokeCertificate", RevokeCertificate$) {
}

class SearchCertificatesCommand extends command(_ep0, _mw0, "SearchCertificates", SearchCertificates$) {
}

class TagResourceCommand extends command(_ep0, _mw0, "TagResource", TagResource$) {
}

class UntagResourceCommand extends command(_ep0, _mw0, "UntagResource", UntagResource$) {
}

class UpdateAcmeDomainValidationCommand extends command(_ep1, _mw0, "UpdateAcmeDomainValidation", UpdateAcmeDomainValidation$) {
}

class UpdateAcmeEndpointCommand extends command(_ep1, _mw0, "UpdateAcmeEndpoint", UpdateAcmeEndpoint$) {
}

class UpdateCertificateOptionsCommand extends command(_ep0, _mw0, "UpdateCertificateOptions", UpdateCertificateOptions$) {
}

const paginateListAcmeAccounts = createPaginator(ACMClient, ListAcmeAccountsCommand, "NextToken", "NextToken", "MaxResults");

const paginateListAcmeDomainValidations = createPaginator(ACMClient, ListAcmeDomainValidationsCommand, "NextToken", "NextToken", "MaxResults");

const paginateListAcmeEndpoints = createPaginator(ACMClient, ListAcmeEndpointsCommand, "NextToken", "NextToken", "MaxResults");

const paginateListAcmeExternalAccountBindings = createPaginator(ACMClient, ListAcmeExternalAccountBindingsCommand, "NextToken", "NextToken", "MaxResults");

const paginateListCertificateDomainValidations = createPaginator(ACMClient, ListCertificateDomainValidationsCommand, "NextToken", "NextToken", "MaxItems");

const paginateListCertificates = createPaginator(ACMClient, ListCertificatesCommand, "NextToken", "NextToken", "MaxItems");

const paginateSearchCertificates = createPaginator(ACMClient, SearchCertificatesCommand, "NextToken", "NextToken", "MaxResults");

const checkState$4 = async (client, input) => {
    let reason;
    try {
        let result = await client.send(new DescribeAcmeDomainValidationCommand(input));
        reason = result;
        try {
            const returnComparator = () => {
                return result.AcmeDomainValidation.Status;
            };
            if (returnComparator() === "DELETING") {
                return { state: WaiterState.RETRY, reason };
            }
        }
        catch (e) { }
    }
    catch (exception) {
        reason = exception;
        if (exception.name === "ResourceNotFoundException") {
            return { state: WaiterState.SUCCESS, reason };
        }
    }
    return { state: WaiterState.RETRY, reason };
};
const waitForAcmeDomainValidationDeleted = async (params, input) => {
    const serviceDefaults = { minDelay: 5, maxDelay: 300 };
    return createWaiter({ ...serviceDefaults, ...params }, input, checkState$4);
};
const waitUntilAcmeDomainValidationDeleted = async (params, input) => {
    const serviceDefaults = { minDelay: 5, maxDelay: 300 };
    const result = await createWaiter({ ...serviceDefaults, ...params }, input, checkState$4);
    return checkExceptions(result);
};

const checkState$3 = async (client, input) => {
    let reason;
    try {
        let result = await client.send(new DescribeAcmeDomainValidationCommand(input));
        reason = result;
        try {
            const returnComparator = () => {
                return result.AcmeDomainValidation.Status;
            };
            if (returnComparator() === "VALID") {
                return { state: WaiterState.SUCCESS, reason };
            }
        }
        catch (e) { }
        try {
            const returnComparator = () => {
                return result.AcmeDomainValidation.Status;
            };
            if (returnComparator() === "INVALID") {
                return { state: WaiterState.FAILURE, reason };
            }
        }
        catch (e) { }
        try {
            const returnComparator = () => {
                return result.AcmeDomainValidation.Status;
            };
            if (returnComparator() === "VALIDATING") {
                return { state: WaiterState.RETRY, reason };
            }
        }
        catch (e) { }
    }
    catch (exception) {
        reason = exception;
    }
    return { state: WaiterState.RETRY, reason };
};
const waitForAcmeDomainValidationValidated = async (params, input) => {
    const serviceDefaults = { minDelay: 5, maxDelay: 300 };
    return createWaiter({ ...serviceDefaults, ...params }, input, checkState$3);
};
const waitUntilAcmeDomainValidationValidated = async (params, input) => {
    const serviceDefaults = { minDelay: 5, maxDelay: 300 };
    const result = await createWaiter({ ...serviceDefaults, ...params }, input, checkState$3);
    return checkExceptions(result);
};

const checkState$2 = async (client, input) => {
    let reason;
    try {
        let result = await client.send(new DescribeAcmeEndpointCommand(input));
        reason = result;
        try {
            const returnComparator = () => {
                return result.AcmeEndpoint.Status;
            };
            if (returnComparator() === "ACTIVE") {
                return { state: WaiterState.SUCCESS, reason };
            }
        }
        catch (e) { }
        try {
            const returnComparator = () => {
                return result.AcmeEndpoint.Status;
            };
            if (returnComparator() === "FAILED") {
                return { state: WaiterState.FAILURE, reason };
            }
        }
        catch (e) { }
        try {
            const returnComparator = () => {
                return result.AcmeEndpoint.Status;
            };
            if (returnComparator() === "CREATING") {
                return { state: WaiterState.RETRY, reason };
            }
        }
        catch (e) { }
    }
    catch (exception) {
        reason = exception;
    }
    return { state: WaiterState.RETRY, reason };
};
const waitForAcmeEndpointActive = async (params, input) => {
    const serviceDefaults = { minDelay: 5, maxDelay: 300 };
    return createWaiter({ ...serviceDefaults, ...params }, input, checkState$2);
};
const waitUntilAcmeEndpointActive = async (params, input) => {
    const serviceDefaults = { minDelay: 5, maxDelay: 300 };
    const result = await createWaiter({ ...serviceDefaults, ...params }, input, checkState$2);
    return checkExceptions(result);
};

const checkState$1 = async (client, input) => {
    let reason;
    try {
        let result = await client.send(new DescribeAcmeEndpointCommand(input));
        reason = result;
        try {
            const returnComparator = () => {
                return result.AcmeEndpoint.Status;
            };
            if (returnComparator() === "DELETING") {
                return { state: WaiterState.RETRY, reason };
            }
        }
        catch (e) { }
    }
    catch (exception) {
        reason = exception;
        if (exception.name === "ResourceNotFoundException") {
            return { state: WaiterState.SUCCESS, reason };
        }
    }
    return { state: WaiterState.RETRY, reason };
};
const waitForAcmeEndpointDeleted = async (params, input) => {
    const serviceDefaults = { minDelay: 5, maxDelay: 300 };
    return createWaiter({ ...serviceDefaults, ...params }, input, checkState$1);
};
const waitUntilAcmeEndpointDeleted = async (params, input) => {
    const serviceDefaults = { minDelay: 5, maxDelay: 300 };
    const result = await createWaiter({ ...serviceDefaults, ...params }, input, checkState$1);
    return checkExceptions(result);
};

const checkState = async (client, input) => {
    let reason;
    try {
        let result = await client.send(new DescribeCertificateCommand(input));
        reason = result;
        try {
            const returnComparator = () => {
                let flat_1 = [].concat(...result.Certificate.DomainValidationOptions);
                let projection_3 = flat_1.map((element_2) => {
                    return element_2.ValidationStatus;
                });
                return projection_3;
            };
            let allStringEq_5 = (returnComparator().length > 0);
            for (let element_4 of returnComparator()) {
                allStringEq_5 = allStringEq_5 && (element_4 == "SUCCESS");
            }
            if (allStringEq_5) {
                return { state: WaiterState.SUCCESS, reason };
            }
        }
        catch (e) { }
        try {
            const returnComparator = () => {
                let flat_1 = [].concat(...result.Certificate.DomainValidationOptions);
                let projection_3 = flat_1.map((element_2) => {
                    return element_2.ValidationStatus;
                });
                return projection_3;
            };
            for (let anyStringEq_4 of returnComparator()) {
                if (anyStringEq_4 == "PENDING_VALIDATION") {
                    return { state: WaiterState.RETRY, reason };
                }
            }
        }
        catch (e) { }
        try {
            const returnComparator = () => {
                return result.Certificate.Status;
            };
            if (returnComparator() === "FAILED") {
                return { state: WaiterState.FAILURE, reason };
            }
        }
        catch (e) { }
    }
    catch (exception) {
        reason = exception;
        if (exception.name === "ResourceNotFoundException") {
            return { state: WaiterState.FAILURE, reason };
        }
    }
    return { state: WaiterState.RETRY, reason };
};
const waitForCertificateValidated = async (params, input) => {
    const serviceDefaults = { minDelay: 60, maxDelay: 120 };
    return createWaiter({ ...serviceDefaults, ...params }, input, checkState);
};
const waitUntilCertificateValidated = async (params, input) => {
    const serviceDefaults = { minDelay: 60, maxDelay: 120 };
    const result = await createWaiter({ ...serviceDefaults, ...params }, input, checkState);
    return checkExceptions(result);
};

const commands = {
    AddTagsToCertificateCommand,
    CreateAcmeDomainValidationCommand,
    CreateAcmeEndpointCommand,
    CreateAcmeExternalAccountBindingCommand,
    DeleteAcmeDomainValidationCommand,
    DeleteAcmeEndpointCommand,
    DeleteAcmeExternalAccountBindingCommand,
    DeleteCertificateCommand,
    DescribeAcmeAccountCommand,
    DescribeAcmeDomainValidationCommand,
    DescribeAcmeEndpointCommand,
    DescribeAcmeExternalAccountBindingCommand,
    DescribeCertificateCommand,
    ExportCertificateCommand,
    GetAccountConfigurationCommand,
    GetAcmeExternalAccountBindingCredentialsCommand,
    GetCertificateCommand,
    ImportCertificateCommand,
    ListAcmeAccountsCommand,
    ListAcmeDomainValidationsCommand,
    ListAcmeEndpointsCommand,
    ListAcmeExternalAccountBindingsCommand,
    ListCertificateDomainValidationsCommand,
    ListCertificatesCommand,
    ListTagsForCertificateCommand,
    ListTagsForResourceCommand,
    PutAccountConfigurationCommand,
    RemoveTagsFromCertificateCommand,
    RenewCertificateCommand,
    RequestCertificateCommand,
    ResendValidationEmailCommand,
    RevokeAcmeAccountCommand,
    RevokeAcmeExternalAccountBindingCommand,
    RevokeCertificateCommand,
    SearchCertificatesCommand,
    TagResourceCommand,
    UntagResourceCommand,
    UpdateAcmeDomainValidationCommand,
    UpdateAcmeEndpointCommand,
    UpdateCertificateOptionsCommand,
};
const paginators = {
    paginateListAcmeAccounts,
    paginateListAcmeDomainValidations,
    paginateListAcmeEndpoints,
    paginateListAcmeExternalAccountBindings,
    paginateListCertificateDomainValidations,
    paginateListCertificates,
    paginateSearchCertificates,
};
const waiters = {
    waitUntilAcmeDomainValidationValidated,
    waitUntilAcmeDomainValidationDeleted,
    waitUntilAcmeEndpointActive,
    waitUntilAcmeEndpointDeleted,
    waitUntilCertificateValidated,
};
class ACM extends ACMClient {
}
createAggregatedClient(commands, ACM, { paginators, waiters });

const CertificateKeyPairOrigin = {
    ACME: "ACME",
    AWS_MANAGED: "AWS_MANAGED",
    CUSTOMER_PROVIDED: "CUSTOMER_PROVIDED",
};
const CertificateExport = {
    DISABLED: "DISABLED",
    ENABLED: "ENABLED",
};
const CertificateManagedBy = {
    CLOUDFRONT: "CLOUDFRONT",
};
const RenewalEligibility = {
    ELIGIBLE: "ELIGIBLE",
    INELIGIBLE: "INELIGIBLE",
};
const RenewalStatus = {
    FAILED: "FAILED",
    PENDING_AUTO_RENEWAL: "PENDING_AUTO_RENEWAL",
    PENDING_VALIDATION: "PENDING_VALIDATION",
    SUCCESS: "SUCCESS",
};
const CertificateStatus = {
    EXPIRED: "EXPIRED",
    FAILED: "FAILED",
    INACTIVE: "INACTIVE",
    ISSUED: "ISSUED",
    PENDING_VALIDATION: "PENDING_VALIDATION",
    REVOKED: "REVOKED",
    VALIDATION_TIMED_OUT: "VALIDATION_TIMED_OUT",
};
const CertificateType = {
    AMAZON_ISSUED: "AMAZON_ISSUED",
    IMPORTED: "IMPORTED",
    PRIVATE: "PRIVATE",
};
const ValidationMethod = {
    DNS: "DNS",
    EMAIL: "EMAIL",
    HTTP: "HTTP",
};
const AcmeAccountStatus = {
    DEACTIVATED: "DEACTIVATED",
    REVOKED: "REVOKED",
    VALID: "VALID",
};
const AcmeAuthorizationBehavior = {
    PRE_APPROVED: "PRE_APPROVED",
};
const AcmeContact = {
    NOT_REQUIRED: "NOT_REQUIRED",
    REQUIRED: "REQUIRED",
};
const AcmeDomainValidationFailureReason = {
    ACCESS_DENIED: "ACCESS_DENIED",
    DOMAIN_MISMATCH: "DOMAIN_MISMATCH",
    DOMAIN_NOT_ALLOWED: "DOMAIN_NOT_ALLOWED",
    ENDPOINT_NOT_ACTIVE: "ENDPOINT_NOT_ACTIVE",
    HOSTED_ZONE_NOT_FOUND: "HOSTED_ZONE_NOT_FOUND",
    INTERNAL_FAILURE: "INTERNAL_FAILURE",
    INVALID_CHANGE_BATCH: "INVALID_CHANGE_BATCH",
    INVALID_PUBLIC_DOMAIN: "INVALID_PUBLIC_DOMAIN",
    TIMED_OUT: "TIMED_OUT",
};
const DomainScopeOption = {
    DISABLED: "DISABLED",
    ENABLED: "ENABLED",
};
const RecordType = {
    CNAME: "CNAME",
};
const PrevalidationType = {
    DNS_PREVALIDATION: "DNS_PREVALIDATION",
};
const AcmeDomainValidationStatus = {
    DELETING: "DELETING",
    INVALID: "INVALID",
    VALID: "VALID",
    VALIDATING: "VALIDATING",
};
const PublicKeyAlgorithm = {
    EC_PRIME256_V1: "EC_prime256v1",
    EC_SECP384_R1: "EC_secp384r1",
    RSA_2048: "RSA_2048",
};
const AcmeEndpointStatus = {
    ACTIVE: "ACTIVE",
    CREATING: "CREATING",
    DELETING: "DELETING",
    FAILED: "FAILED",
};
const DomainStatus = {
    FAILED: "FAILED",
    PENDING_VALIDATION: "PENDING_VALIDATION",
    SUCCESS: "SUCCESS",
};
const ExtendedKeyUsageName = {
    ANY: "ANY",
    CODE_SIGNING: "CODE_SIGNING",
    CUSTOM: "CUSTOM",
    EMAIL_PROTECTION: "EMAIL_PROTECTION",
    IPSEC_END_SYSTEM: "IPSEC_END_SYSTEM",
    IPSEC_TUNNEL: "IPSEC_TUNNEL",
    IPSEC_USER: "IPSEC_USER",
    NONE: "NONE",
    OCSP_SIGNING: "OCSP_SIGNING",
    TIME_STAMPING: "TIME_STAMPING",
    TLS_WEB_CLIENT_AUTHENTICATION: "TLS_WEB_CLIENT_AUTHENTICATION",
    TLS_WEB_SERVER_AUTHENTICATION: "TLS_WEB_SERVER_AUTHENTICATION",
};
const FailureReason = {
    ADDITIONAL_VERIFICATION_REQUIRED: "ADDITIONAL_VERIFICATION_REQUIRED",
    CAA_ERROR: "CAA_ERROR",
    DOMAIN_NOT_ALLOWED: "DOMAIN_NOT_ALLOWED",
    DOMAIN_VALIDATION_DENIED: "DOMAIN_VALIDATION_DENIED",
    INVALID_PUBLIC_DOMAIN: "INVALID_PUBLIC_DOMAIN",
    NO_AVAILABLE_CONTACTS: "NO_AVAILABLE_CONTACTS",
    OTHER: "OTHER",
    PCA_ACCESS_DENIED: "PCA_ACCESS_DENIED",
    PCA_INVALID_ARGS: "PCA_INVALID_ARGS",
    PCA_INVALID_ARN: "PCA_INVALID_ARN",
    PCA_INVALID_DURATION: "PCA_INVALID_DURATION",
    PCA_INVALID_STATE: "PCA_INVALID_STATE",
    PCA_LIMIT_EXCEEDED: "PCA_LIMIT_EXCEEDED",
    PCA_NAME_CONSTRAINTS_VALIDATION: "PCA_NAME_CONSTRAINTS_VALIDATION",
    PCA_REQUEST_FAILED: "PCA_REQUEST_FAILED",
    PCA_RESOURCE_NOT_FOUND: "PCA_RESOURCE_NOT_FOUND",
    SLR_NOT_FOUND: "SLR_NOT_FOUND",
};
const KeyAlgorithm = {
    EC_prime256v1: "EC_prime256v1",
    EC_secp384r1: "EC_secp384r1",
    EC_secp521r1: "EC_secp521r1",
    RSA_1024: "RSA_1024",
    RSA_2048: "RSA_2048",
    RSA_3072: "RSA_3072",
    RSA_4096: "RSA_4096",
};
const KeyUsageName = {
    ANY: "ANY",
    CERTIFICATE_SIGNING: "CERTIFICATE_SIGNING",
    CRL_SIGNING: "CRL_SIGNING",
    CUSTOM: "CUSTOM",
    DATA_ENCIPHERMENT: "DATA_ENCIPHERMENT",
    DECIPHER_ONLY: "DECIPHER_ONLY",
    DIGITAL_SIGNATURE: "DIGITAL_SIGNATURE",
    ENCHIPER_ONLY: "ENCIPHER_ONLY",
    KEY_AGREEMENT: "KEY_AGREEMENT",
    KEY_ENCIPHERMENT: "KEY_ENCIPHERMENT",
    NON_REPUDATION: "NON_REPUDIATION",
};
const CertificateTransparencyLoggingPreference = {
    DISABLED: "DISABLED",
    ENABLED: "ENABLED",
};
const RevocationReason = {
    AFFILIATION_CHANGED: "AFFILIATION_CHANGED",
    A_A_COMPROMISE: "A_A_COMPROMISE",
    CA_COMPROMISE: "CA_COMPROMISE",
    CERTIFICATE_HOLD: "CERTIFICATE_HOLD",
    CESSATION_OF_OPERATION: "CESSATION_OF_OPERATION",
    KEY_COMPROMISE: "KEY_COMPROMISE",
    PRIVILEGE_WITHDRAWN: "PRIVILEGE_WITHDRAWN",
    REMOVE_FROM_CRL: "REMOVE_FROM_CRL",
    SUPERCEDED: "SUPERCEDED",
    SUPERSEDED: "SUPERSEDED",
    UNSPECIFIED: "UNSPECIFIED",
};
const UpdateStatus = {
    FAILED: "FAILED",
    PENDING_DOMAIN_VALIDATION: "PENDING_DOMAIN_VALIDATION",
    SUCCESS: "SUCCESS",
};
const UpdateType = {
    DOMAIN_VALIDATION_METHOD: "DOMAIN_VALIDATION_METHOD",
};
const ComparisonOperator = {
    CONTAINS: "CONTAINS",
    EQUALS: "EQUALS",
};
const TimeType = {
    DAYS: "DAYS",
    HOURS: "HOURS",
    MINUTES: "MINUTES",
};
const SortBy = {
    CREATED_AT: "CREATED_AT",
};
const SortOrder = {
    ASCENDING: "ASCENDING",
    DESCENDING: "DESCENDING",
};
const SearchCertificatesSortBy = {
    ACME_ACCOUNT_ID: "ACME_ACCOUNT_ID",
    ACME_ENDPOINT_ARN: "ACME_ENDPOINT_ARN",
    CERTIFICATE_ARN: "CERTIFICATE_ARN",
    CERTIFICATE_KEY_PAIR_ORIGIN: "CERTIFICATE_KEY_PAIR_ORIGIN",
    COMMON_NAME: "COMMON_NAME",
    CREATED_AT: "CREATED_AT",
    EXPORTED: "EXPORTED",
    EXPORT_OPTION: "EXPORT_OPTION",
    IMPORTED_AT: "IMPORTED_AT",
    IN_USE: "IN_USE",
    ISSUED_AT: "ISSUED_AT",
    KEY_ALGORITHM: "KEY_ALGORITHM",
    MANAGED_BY: "MANAGED_BY",
    NOT_AFTER: "NOT_AFTER",
    NOT_BEFORE: "NOT_BEFORE",
    RENEWAL_ELIGIBILITY: "RENEWAL_ELIGIBILITY",
    RENEWAL_STATUS: "RENEWAL_STATUS",
    REVOKED_AT: "REVOKED_AT",
    STATUS: "STATUS",
    TYPE: "TYPE",
    VALIDATION_METHOD: "VALIDATION_METHOD",
};
const SearchCertificatesSortOrder = {
    ASCENDING: "ASCENDING",
    DESCENDING: "DESCENDING",
};

__webpack_unused_export__ = ACM;
exports.ACMClient = ACMClient;
__webpack_unused_export__ = ACMServiceException;
__webpack_unused_export__ = ACMServiceException$;
__webpack_unused_export__ = AccessDeniedException;
__webpack_unused_export__ = AccessDeniedException$;
__webpack_unused_export__ = AcmCertificateMetadata$;
__webpack_unused_export__ = AcmCertificateMetadataFilter$;
__webpack_unused_export__ = AcmeAccount$;
__webpack_unused_export__ = AcmeAccountStatus;
__webpack_unused_export__ = AcmeAccountSummary$;
__webpack_unused_export__ = AcmeAuthorizationBehavior;
__webpack_unused_export__ = AcmeContact;
__webpack_unused_export__ = AcmeDomainValidation$;
__webpack_unused_export__ = AcmeDomainValidationFailureReason;
__webpack_unused_export__ = AcmeDomainValidationStatus;
__webpack_unused_export__ = AcmeDomainValidationSummary$;
__webpack_unused_export__ = AcmeEndpoint$;
__webpack_unused_export__ = AcmeEndpointStatus;
__webpack_unused_export__ = AcmeEndpointSummary$;
__webpack_unused_export__ = AcmeExternalAccountBinding$;
__webpack_unused_export__ = AcmeExternalAccountBindingSummary$;
__webpack_unused_export__ = AddTagsToCertificate$;
__webpack_unused_export__ = AddTagsToCertificateCommand;
__webpack_unused_export__ = AddTagsToCertificateRequest$;
__webpack_unused_export__ = CertificateAuthority$;
__webpack_unused_export__ = CertificateDetail$;
__webpack_unused_export__ = CertificateExport;
__webpack_unused_export__ = CertificateFilter$;
__webpack_unused_export__ = CertificateFilterStatement$;
__webpack_unused_export__ = CertificateKeyPairOrigin;
__webpack_unused_export__ = CertificateManagedBy;
__webpack_unused_export__ = CertificateMetadata$;
__webpack_unused_export__ = CertificateOptions$;
__webpack_unused_export__ = CertificateSearchResult$;
__webpack_unused_export__ = CertificateStatus;
__webpack_unused_export__ = CertificateSummary$;
__webpack_unused_export__ = CertificateTransparencyLoggingPreference;
__webpack_unused_export__ = CertificateType;
__webpack_unused_export__ = CommonNameFilter$;
__webpack_unused_export__ = ComparisonOperator;
__webpack_unused_export__ = ConflictException;
__webpack_unused_export__ = ConflictException$;
__webpack_unused_export__ = CreateAcmeDomainValidation$;
__webpack_unused_export__ = CreateAcmeDomainValidationCommand;
__webpack_unused_export__ = CreateAcmeDomainValidationRequest$;
__webpack_unused_export__ = CreateAcmeDomainValidationResponse$;
__webpack_unused_export__ = CreateAcmeEndpoint$;
__webpack_unused_export__ = CreateAcmeEndpointCommand;
__webpack_unused_export__ = CreateAcmeEndpointRequest$;
__webpack_unused_export__ = CreateAcmeEndpointResponse$;
__webpack_unused_export__ = CreateAcmeExternalAccountBinding$;
__webpack_unused_export__ = CreateAcmeExternalAccountBindingCommand;
__webpack_unused_export__ = CreateAcmeExternalAccountBindingRequest$;
__webpack_unused_export__ = CreateAcmeExternalAccountBindingResponse$;
__webpack_unused_export__ = CustomAttribute$;
__webpack_unused_export__ = DeleteAcmeDomainValidation$;
__webpack_unused_export__ = DeleteAcmeDomainValidationCommand;
__webpack_unused_export__ = DeleteAcmeDomainValidationRequest$;
__webpack_unused_export__ = DeleteAcmeEndpoint$;
__webpack_unused_export__ = DeleteAcmeEndpointCommand;
__webpack_unused_export__ = DeleteAcmeEndpointRequest$;
__webpack_unused_export__ = DeleteAcmeExternalAccountBinding$;
__webpack_unused_export__ = DeleteAcmeExternalAccountBindingCommand;
__webpack_unused_export__ = DeleteAcmeExternalAccountBindingRequest$;
__webpack_unused_export__ = DeleteCertificate$;
__webpack_unused_export__ = DeleteCertificateCommand;
__webpack_unused_export__ = DeleteCertificateRequest$;
__webpack_unused_export__ = DescribeAcmeAccount$;
__webpack_unused_export__ = DescribeAcmeAccountCommand;
__webpack_unused_export__ = DescribeAcmeAccountRequest$;
__webpack_unused_export__ = DescribeAcmeAccountResponse$;
__webpack_unused_export__ = DescribeAcmeDomainValidation$;
__webpack_unused_export__ = DescribeAcmeDomainValidationCommand;
__webpack_unused_export__ = DescribeAcmeDomainValidationRequest$;
__webpack_unused_export__ = DescribeAcmeDomainValidationResponse$;
__webpack_unused_export__ = DescribeAcmeEndpoint$;
__webpack_unused_export__ = DescribeAcmeEndpointCommand;
__webpack_unused_export__ = DescribeAcmeEndpointRequest$;
__webpack_unused_export__ = DescribeAcmeEndpointResponse$;
__webpack_unused_export__ = DescribeAcmeExternalAccountBinding$;
__webpack_unused_export__ = DescribeAcmeExternalAccountBindingCommand;
__webpack_unused_export__ = DescribeAcmeExternalAccountBindingRequest$;
__webpack_unused_export__ = DescribeAcmeExternalAccountBindingResponse$;
__webpack_unused_export__ = DescribeCertificate$;
exports.iIX = DescribeCertificateCommand;
__webpack_unused_export__ = DescribeCertificateRequest$;
__webpack_unused_export__ = DescribeCertificateResponse$;
__webpack_unused_export__ = DistinguishedName$;
__webpack_unused_export__ = DnsNameFilter$;
__webpack_unused_export__ = DnsPrevalidationDetails$;
__webpack_unused_export__ = DnsPrevalidationOptions$;
__webpack_unused_export__ = DnsValidationChallenge$;
__webpack_unused_export__ = DomainScope$;
__webpack_unused_export__ = DomainScopeOption;
__webpack_unused_export__ = DomainStatus;
__webpack_unused_export__ = DomainValidation$;
__webpack_unused_export__ = DomainValidationMethodUpdateSummary$;
__webpack_unused_export__ = DomainValidationOption$;
__webpack_unused_export__ = DomainValidationSummary$;
__webpack_unused_export__ = EmailValidationChallenge$;
__webpack_unused_export__ = Expiration$;
__webpack_unused_export__ = ExpiryEventsConfiguration$;
__webpack_unused_export__ = ExportCertificate$;
__webpack_unused_export__ = ExportCertificateCommand;
__webpack_unused_export__ = ExportCertificateRequest$;
__webpack_unused_export__ = ExportCertificateResponse$;
__webpack_unused_export__ = ExtendedKeyUsage$;
__webpack_unused_export__ = ExtendedKeyUsageName;
__webpack_unused_export__ = FailureDetails$;
__webpack_unused_export__ = FailureReason;
__webpack_unused_export__ = Filters$;
__webpack_unused_export__ = GeneralName$;
__webpack_unused_export__ = GetAccountConfiguration$;
__webpack_unused_export__ = GetAccountConfigurationCommand;
__webpack_unused_export__ = GetAccountConfigurationResponse$;
__webpack_unused_export__ = GetAcmeExternalAccountBindingCredentials$;
__webpack_unused_export__ = GetAcmeExternalAccountBindingCredentialsCommand;
__webpack_unused_export__ = GetAcmeExternalAccountBindingCredentialsRequest$;
__webpack_unused_export__ = GetAcmeExternalAccountBindingCredentialsResponse$;
__webpack_unused_export__ = GetCertificate$;
__webpack_unused_export__ = GetCertificateCommand;
__webpack_unused_export__ = GetCertificateRequest$;
__webpack_unused_export__ = GetCertificateResponse$;
__webpack_unused_export__ = HttpRedirect$;
__webpack_unused_export__ = ImportCertificate$;
__webpack_unused_export__ = ImportCertificateCommand;
__webpack_unused_export__ = ImportCertificateRequest$;
__webpack_unused_export__ = ImportCertificateResponse$;
__webpack_unused_export__ = InternalServerException;
__webpack_unused_export__ = InternalServerException$;
__webpack_unused_export__ = InvalidArgsException;
__webpack_unused_export__ = InvalidArgsException$;
__webpack_unused_export__ = InvalidArnException;
__webpack_unused_export__ = InvalidArnException$;
__webpack_unused_export__ = InvalidDomainValidationOptionsException;
__webpack_unused_export__ = InvalidDomainValidationOptionsException$;
__webpack_unused_export__ = InvalidParameterException;
__webpack_unused_export__ = InvalidParameterException$;
__webpack_unused_export__ = InvalidStateException;
__webpack_unused_export__ = InvalidStateException$;
__webpack_unused_export__ = InvalidTagException;
__webpack_unused_export__ = InvalidTagException$;
__webpack_unused_export__ = KeyAlgorithm;
__webpack_unused_export__ = KeyUsage$;
__webpack_unused_export__ = KeyUsageName;
__webpack_unused_export__ = LimitExceededException;
__webpack_unused_export__ = LimitExceededException$;
__webpack_unused_export__ = ListAcmeAccounts$;
__webpack_unused_export__ = ListAcmeAccountsCommand;
__webpack_unused_export__ = ListAcmeAccountsRequest$;
__webpack_unused_export__ = ListAcmeAccountsResponse$;
__webpack_unused_export__ = ListAcmeDomainValidations$;
__webpack_unused_export__ = ListAcmeDomainValidationsCommand;
__webpack_unused_export__ = ListAcmeDomainValidationsRequest$;
__webpack_unused_export__ = ListAcmeDomainValidationsResponse$;
__webpack_unused_export__ = ListAcmeEndpoints$;
__webpack_unused_export__ = ListAcmeEndpointsCommand;
__webpack_unused_export__ = ListAcmeEndpointsRequest$;
__webpack_unused_export__ = ListAcmeEndpointsResponse$;
__webpack_unused_export__ = ListAcmeExternalAccountBindings$;
__webpack_unused_export__ = ListAcmeExternalAccountBindingsCommand;
__webpack_unused_export__ = ListAcmeExternalAccountBindingsRequest$;
__webpack_unused_export__ = ListAcmeExternalAccountBindingsResponse$;
__webpack_unused_export__ = ListCertificateDomainValidations$;
__webpack_unused_export__ = ListCertificateDomainValidationsCommand;
__webpack_unused_export__ = ListCertificateDomainValidationsRequest$;
__webpack_unused_export__ = ListCertificateDomainValidationsResponse$;
__webpack_unused_export__ = ListCertificates$;
__webpack_unused_export__ = ListCertificatesCommand;
__webpack_unused_export__ = ListCertificatesRequest$;
__webpack_unused_export__ = ListCertificatesResponse$;
__webpack_unused_export__ = ListTagsForCertificate$;
__webpack_unused_export__ = ListTagsForCertificateCommand;
__webpack_unused_export__ = ListTagsForCertificateRequest$;
__webpack_unused_export__ = ListTagsForCertificateResponse$;
__webpack_unused_export__ = ListTagsForResource$;
__webpack_unused_export__ = ListTagsForResourceCommand;
__webpack_unused_export__ = ListTagsForResourceRequest$;
__webpack_unused_export__ = ListTagsForResourceResponse$;
__webpack_unused_export__ = OtherName$;
__webpack_unused_export__ = PrevalidationDetails$;
__webpack_unused_export__ = PrevalidationOptions$;
__webpack_unused_export__ = PrevalidationType;
__webpack_unused_export__ = PublicCertificateAuthority$;
__webpack_unused_export__ = PublicKeyAlgorithm;
__webpack_unused_export__ = PutAccountConfiguration$;
__webpack_unused_export__ = PutAccountConfigurationCommand;
__webpack_unused_export__ = PutAccountConfigurationRequest$;
__webpack_unused_export__ = RecordType;
__webpack_unused_export__ = RemoveTagsFromCertificate$;
__webpack_unused_export__ = RemoveTagsFromCertificateCommand;
__webpack_unused_export__ = RemoveTagsFromCertificateRequest$;
__webpack_unused_export__ = RenewCertificate$;
__webpack_unused_export__ = RenewCertificateCommand;
__webpack_unused_export__ = RenewCertificateRequest$;
__webpack_unused_export__ = RenewalEligibility;
__webpack_unused_export__ = RenewalStatus;
__webpack_unused_export__ = RenewalSummary$;
__webpack_unused_export__ = RequestCertificate$;
__webpack_unused_export__ = RequestCertificateCommand;
__webpack_unused_export__ = RequestCertificateRequest$;
__webpack_unused_export__ = RequestCertificateResponse$;
__webpack_unused_export__ = RequestInProgressException;
__webpack_unused_export__ = RequestInProgressException$;
__webpack_unused_export__ = ResendValidationEmail$;
__webpack_unused_export__ = ResendValidationEmailCommand;
__webpack_unused_export__ = ResendValidationEmailRequest$;
__webpack_unused_export__ = ResourceInUseException;
__webpack_unused_export__ = ResourceInUseException$;
__webpack_unused_export__ = ResourceNotFoundException;
__webpack_unused_export__ = ResourceNotFoundException$;
__webpack_unused_export__ = ResourceRecord$;
__webpack_unused_export__ = RevocationReason;
__webpack_unused_export__ = RevokeAcmeAccount$;
__webpack_unused_export__ = RevokeAcmeAccountCommand;
__webpack_unused_export__ = RevokeAcmeAccountRequest$;
__webpack_unused_export__ = RevokeAcmeExternalAccountBinding$;
__webpack_unused_export__ = RevokeAcmeExternalAccountBindingCommand;
__webpack_unused_export__ = RevokeAcmeExternalAccountBindingRequest$;
__webpack_unused_export__ = RevokeCertificate$;
__webpack_unused_export__ = RevokeCertificateCommand;
__webpack_unused_export__ = RevokeCertificateRequest$;
__webpack_unused_export__ = RevokeCertificateResponse$;
__webpack_unused_export__ = SearchCertificates$;
__webpack_unused_export__ = SearchCertificatesCommand;
__webpack_unused_export__ = SearchCertificatesRequest$;
__webpack_unused_export__ = SearchCertificatesResponse$;
__webpack_unused_export__ = SearchCertificatesSortBy;
__webpack_unused_export__ = SearchCertificatesSortOrder;
__webpack_unused_export__ = ServiceQuotaExceededException;
__webpack_unused_export__ = ServiceQuotaExceededException$;
__webpack_unused_export__ = SortBy;
__webpack_unused_export__ = SortOrder;
__webpack_unused_export__ = SubjectAlternativeNameFilter$;
__webpack_unused_export__ = SubjectFilter$;
__webpack_unused_export__ = Tag$;
__webpack_unused_export__ = TagPolicyException;
__webpack_unused_export__ = TagPolicyException$;
__webpack_unused_export__ = TagResource$;
__webpack_unused_export__ = TagResourceCommand;
__webpack_unused_export__ = TagResourceRequest$;
__webpack_unused_export__ = ThrottlingException;
__webpack_unused_export__ = ThrottlingException$;
__webpack_unused_export__ = ThrottlingReason$;
__webpack_unused_export__ = TimeType;
__webpack_unused_export__ = TimestampRange$;
__webpack_unused_export__ = TooManyTagsException;
__webpack_unused_export__ = TooManyTagsException$;
__webpack_unused_export__ = UntagResource$;
__webpack_unused_export__ = UntagResourceCommand;
__webpack_unused_export__ = UntagResourceRequest$;
__webpack_unused_export__ = UpdateAcmeDomainValidation$;
__webpack_unused_export__ = UpdateAcmeDomainValidationCommand;
__webpack_unused_export__ = UpdateAcmeDomainValidationRequest$;
__webpack_unused_export__ = UpdateAcmeEndpoint$;
__webpack_unused_export__ = UpdateAcmeEndpointCommand;
__webpack_unused_export__ = UpdateAcmeEndpointRequest$;
__webpack_unused_export__ = UpdateCertificateOptions$;
__webpack_unused_export__ = UpdateCertificateOptionsCommand;
__webpack_unused_export__ = UpdateCertificateOptionsRequest$;
__webpack_unused_export__ = UpdateStatus;
__webpack_unused_export__ = UpdateSummary$;
__webpack_unused_export__ = UpdateType;
__webpack_unused_export__ = ValidationChallenge$;
__webpack_unused_export__ = ValidationConfiguration$;
__webpack_unused_export__ = ValidationException;
__webpack_unused_export__ = ValidationException$;
__webpack_unused_export__ = ValidationMethod;
__webpack_unused_export__ = X509AttributeFilter$;
__webpack_unused_export__ = X509Attributes$;
__webpack_unused_export__ = errorTypeRegistries;
__webpack_unused_export__ = paginateListAcmeAccounts;
__webpack_unused_export__ = paginateListAcmeDomainValidations;
__webpack_unused_export__ = paginateListAcmeEndpoints;
__webpack_unused_export__ = paginateListAcmeExternalAccountBindings;
__webpack_unused_export__ = paginateListCertificateDomainValidations;
__webpack_unused_export__ = paginateListCertificates;
__webpack_unused_export__ = paginateSearchCertificates;
__webpack_unused_export__ = waitForAcmeDomainValidationDeleted;
__webpack_unused_export__ = waitForAcmeDomainValidationValidated;
__webpack_unused_export__ = waitForAcmeEndpointActive;
__webpack_unused_export__ = waitForAcmeEndpointDeleted;
__webpack_unused_export__ = waitForCertificateValidated;
__webpack_unused_export__ = waitUntilAcmeDomainValidationDeleted;
__webpack_unused_export__ = waitUntilAcmeDomainValidationValidated;
__webpack_unused_export__ = waitUntilAcmeEndpointActive;
__webpack_unused_export__ = waitUntilAcmeEndpointDeleted;
__webpack_unused_export__ = waitUntilCertificateValidated;


/***/ })

};

//# sourceMappingURL=490.index.js.map