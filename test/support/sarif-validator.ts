/**
 * A structural validator for the SARIF 2.1.0 properties Rolecall emits, written from the OASIS
 * standard (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html, sections 3.13 sarifLog,
 * 3.14 run, 3.18 tool, 3.19 toolComponent, 3.49 reportingDescriptor, 3.27 result, 3.28 location,
 * 3.29 physicalLocation, 3.4 artifactLocation, 3.30 region, 3.33 logicalLocation, 3.11 message).
 * The official JSON schema is not vendored (no network here besides npm); this checks every
 * required property, the types and enums of what we emit, and the cross-references (ruleIndex).
 */

type J = Record<string, unknown>;
const isObj = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number) => Number.isInteger(v) && (v as number) >= min;
const LEVELS = ['none', 'note', 'warning', 'error'];

export function validateSarif(doc: unknown): string[] {
  const errs: string[] = [];
  const need = (cond: boolean, msg: string) => {
    if (!cond) errs.push(msg);
  };
  const message = (m: unknown, at: string) => {
    need(isObj(m), `${at}: message must be an object`);
    if (isObj(m)) need(typeof m.text === 'string' || typeof m.id === 'string', `${at}: message needs text or id (3.11.8)`);
  };
  const uri = (u: unknown, at: string) => need(typeof u === 'string' && u.length > 0 && !/\s/.test(u as string), `${at}: uri must be a non-empty URI reference`);
  const props = (p: unknown, at: string) => {
    if (p !== undefined) need(isObj(p), `${at}: properties must be a property bag (object)`);
    if (isObj(p) && p.tags !== undefined) need(Array.isArray(p.tags) && p.tags.every((t) => typeof t === 'string'), `${at}: properties.tags must be strings`);
  };
  need(isObj(doc), 'sarifLog must be an object');
  if (!isObj(doc)) return errs;
  need(doc.version === '2.1.0', 'sarifLog.version must be "2.1.0" (3.13.2)');
  if (doc.$schema !== undefined) uri(doc.$schema, 'sarifLog.$schema');
  need(Array.isArray(doc.runs), 'sarifLog.runs must be an array (3.13.4)');
  (Array.isArray(doc.runs) ? doc.runs : []).forEach((run: unknown, ri: number) => {
    const at = `runs[${ri}]`;
    need(isObj(run), `${at} must be an object`);
    if (!isObj(run)) return;
    need(isObj(run.tool) && isObj((run.tool as J).driver), `${at}.tool.driver is required (3.14.6, 3.18.2)`);
    const driver = isObj(run.tool) && isObj((run.tool as J).driver) ? ((run.tool as J).driver as J) : {};
    need(typeof driver.name === 'string' && (driver.name as string).length > 0, `${at}.tool.driver.name is required (3.19.8)`);
    const rules = Array.isArray(driver.rules) ? (driver.rules as unknown[]) : [];
    if (driver.rules !== undefined) need(Array.isArray(driver.rules), `${at}.tool.driver.rules must be an array`);
    const ids = new Set<string>();
    rules.forEach((r, i) => {
      const rat = `${at}.tool.driver.rules[${i}]`;
      need(isObj(r) && typeof r.id === 'string', `${rat}.id is required (3.49.3)`);
      if (!isObj(r)) return;
      need(!ids.has(r.id as string), `${rat}.id must be unique`);
      ids.add(r.id as string);
      if (r.shortDescription !== undefined) need(isObj(r.shortDescription) && typeof (r.shortDescription as J).text === 'string', `${rat}.shortDescription.text is required (3.12.3)`);
      if (r.helpUri !== undefined) uri(r.helpUri, `${rat}.helpUri`);
      if (r.defaultConfiguration !== undefined) need(isObj(r.defaultConfiguration) && LEVELS.includes((r.defaultConfiguration as J).level as string), `${rat}.defaultConfiguration.level must be none|note|warning|error (3.50.3)`);
      props(r.properties, rat);
    });
    if (run.columnKind !== undefined) need(['utf16CodeUnits', 'unicodeCodePoints'].includes(run.columnKind as string), `${at}.columnKind enum (3.14.21)`);
    if (run.artifacts !== undefined) {
      need(Array.isArray(run.artifacts), `${at}.artifacts must be an array`);
      (run.artifacts as unknown[]).forEach((a, i) => need(isObj(a) && isObj(a.location) && typeof (a.location as J).uri === 'string', `${at}.artifacts[${i}].location.uri`));
    }
    need(run.results === undefined || Array.isArray(run.results), `${at}.results must be an array (3.14.23)`);
    ((run.results as unknown[]) ?? []).forEach((res, i) => {
      const rat = `${at}.results[${i}]`;
      need(isObj(res), `${rat} must be an object`);
      if (!isObj(res)) return;
      message(res.message, rat);
      if (res.ruleId !== undefined) need(typeof res.ruleId === 'string', `${rat}.ruleId must be a string (3.27.5)`);
      if (res.ruleIndex !== undefined) {
        need(isInt(res.ruleIndex, -1), `${rat}.ruleIndex must be an integer >= -1 (3.27.6)`);
        const rule = rules[res.ruleIndex as number] as J | undefined;
        need(!!rule && rule.id === res.ruleId, `${rat}.ruleIndex must point at the rule named by ruleId`);
      }
      if (res.level !== undefined) need(LEVELS.includes(res.level as string), `${rat}.level must be none|note|warning|error (3.27.10)`);
      props(res.properties, rat);
      need(res.locations === undefined || Array.isArray(res.locations), `${rat}.locations must be an array`);
      ((res.locations as unknown[]) ?? []).forEach((loc, li) => {
        const lat = `${rat}.locations[${li}]`;
        need(isObj(loc), `${lat} must be an object`);
        if (!isObj(loc)) return;
        const pl = loc.physicalLocation as J | undefined;
        if (pl !== undefined) {
          need(isObj(pl), `${lat}.physicalLocation must be an object`);
          need(isObj(pl.artifactLocation) || isObj(pl.address), `${lat}.physicalLocation needs artifactLocation or address (3.29.2)`);
          if (isObj(pl.artifactLocation)) uri((pl.artifactLocation as J).uri, `${lat}.physicalLocation.artifactLocation.uri`);
          const reg = pl.region as J | undefined;
          if (reg !== undefined) {
            need(isObj(reg), `${lat}.region must be an object`);
            need(isInt(reg.startLine, 1), `${lat}.region.startLine must be >= 1 (3.30.5)`);
            if (reg.startColumn !== undefined) need(isInt(reg.startColumn, 1), `${lat}.region.startColumn must be >= 1 (3.30.6)`);
            if (reg.endLine !== undefined) need(isInt(reg.endLine, 1) && (reg.endLine as number) >= (reg.startLine as number), `${lat}.region.endLine must be >= startLine (3.30.7)`);
            if (reg.endColumn !== undefined) {
              need(isInt(reg.endColumn, 1), `${lat}.region.endColumn must be >= 1 (3.30.8)`);
              if (reg.endLine === reg.startLine && reg.startColumn !== undefined) need((reg.endColumn as number) >= (reg.startColumn as number), `${lat}.region.endColumn must be >= startColumn on one line`);
            }
            if (reg.charOffset !== undefined) need(isInt(reg.charOffset, 0), `${lat}.region.charOffset must be >= 0 (3.30.11)`);
            if (reg.charLength !== undefined) need(isInt(reg.charLength, 0), `${lat}.region.charLength must be >= 0 (3.30.12)`);
          }
        }
        if (loc.logicalLocations !== undefined) {
          need(Array.isArray(loc.logicalLocations), `${lat}.logicalLocations must be an array`);
          (loc.logicalLocations as unknown[]).forEach((ll, k) => need(isObj(ll) && (typeof ll.fullyQualifiedName === 'string' || typeof ll.name === 'string'), `${lat}.logicalLocations[${k}] needs a name`));
        }
      });
    });
  });
  return errs;
}
