/**
 * What may be posted where anyone can read it (a public repository's comments): ARNs, AWS account
 * ids and IAM role names say where to aim, so they are replaced by words. The App's logs keep the
 * detail. Applied at the one place comments are written, so no caller can forget it.
 */
export function publicText(text: string): string {
  return (
    text
      // arn:aws:iam::123456789012:role/prod-web → [AWS resource]
      .replace(/\barn:aws[a-z-]*:[^\s`'"()<>[\]]*/g, '[AWS resource]')
      // an ECR host or any other 12-digit account id standing alone
      .replace(/(?<![\w.-])\d{12}(?![\w-])/g, '<account>')
      // role/name or user/name left after an ARN was split across text
      .replace(/(?<![\w/])(role|user|assumed-role)\/[\w+=,.@/-]+/g, '$1/[hidden]')
  );
}
