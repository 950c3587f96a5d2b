/**
 * Dictionary values (数据字典) checked by the R132 stock-data rules: district codes, orientation,
 * decoration. The seed names the dictionaries without listing them; these are the Shanghai values
 * (GB/T 2260 district codes) and common industry values, documented in docs/policy.md as examples.
 */
export const SHANGHAI_DISTRICTS: Readonly<Record<string, string>> = {
  "310101": "黄浦区",
  "310104": "徐汇区",
  "310105": "长宁区",
  "310106": "静安区",
  "310107": "普陀区",
  "310109": "虹口区",
  "310110": "杨浦区",
  "310112": "闵行区",
  "310113": "宝山区",
  "310114": "嘉定区",
  "310115": "浦东新区",
  "310116": "金山区",
  "310117": "松江区",
  "310118": "青浦区",
  "310120": "奉贤区",
  "310151": "崇明区",
}

export const ORIENTATIONS = ["南", "北", "东", "西", "南北", "东南", "西南", "东北", "西北", "东西"] as const
export type Orientation = (typeof ORIENTATIONS)[number]

export const DECORATIONS = ["毛坯", "简装", "精装"] as const
export type Decoration = (typeof DECORATIONS)[number]

/** Limits named by R132: "合理楼层高度阈值100", "合理每层户数阈值30", bedrooms and halls ≤ 5. */
export const R132_LIMITS = { maxTotalFloors: 100, maxUnitsPerFloor: 30, maxBedrooms: 5, maxHalls: 5 } as const
