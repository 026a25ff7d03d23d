/** Labels of the service's DNS names under the apex domain. */
export interface ServiceHostnameLabels {
  /**
   * Label of the user-facing name.
   *
   * @default 'app'
   */
  readonly app?: string;
  /**
   * Label of the write-path name, which follows the database writer.
   *
   * @default 'write'
   */
  readonly write?: string;
}

/** Every DNS name the regional service answers to, derived from one domain. */
export interface ServiceHostnames {
  /** User-facing name, the read path: latency records over the serving regions. */
  readonly app: string;
  /** Write path: failover records tied to the writer health checks. */
  readonly write: string;
  /** The write path's second-level failover target when there is more than one secondary. */
  readonly writeStandby: string;
  /** The region-specific name used for direct access and by the health checks. */
  regional(region: string): string;
}

/**
 * The one place the service's names are derived, so that the certificates, the
 * custom domains, the health checks and the records always agree.
 */
export function serviceHostnames(
  domainName: string,
  labels: ServiceHostnameLabels = {},
): ServiceHostnames {
  const app = `${labels.app ?? 'app'}.${domainName}`;
  const write = `${labels.write ?? 'write'}.${domainName}`;
  return {
    app,
    write,
    writeStandby: `standby.${write}`,
    regional: (region) => `${region}.${app}`,
  };
}
