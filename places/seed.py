"""Reference geography of Turpan: one district and two counties (一区两县) and their townships."""

from .models import District, Township

DISTRICTS = [
    # code, name, English, Uyghur, (lat, lon), townships
    (
        "gaochang",
        "高昌区",
        "Gaochang District",
        "قاراغوجا رايونى",
        (42.947, 89.182),
        [
            "七泉湖镇",
            "大河沿镇",
            "亚尔镇",
            "艾丁湖镇",
            "葡萄镇",
            "胜金乡",
            "二堡乡",
            "三堡乡",
            "恰特喀勒乡",
            "老城路街道",
        ],
    ),
    (
        "shanshan",
        "鄯善县",
        "Shanshan County",
        "پىچان ناھىيىسى",
        (42.865, 90.213),
        [
            "鄯善镇",
            "七克台镇",
            "火车站镇",
            "连木沁镇",
            "鲁克沁镇",
            "辟展乡",
            "东巴扎回族乡",
            "吐峪沟乡",
            "达浪坎乡",
            "迪坎乡",
        ],
    ),
    (
        "toksun",
        "托克逊县",
        "Toksun County",
        "توقسۇن ناھىيىسى",
        (42.792, 88.653),
        [
            "托克逊镇",
            "库米什镇",
            "克尔碱镇",
            "阿乐惠镇",
            "伊拉湖镇",
            "夏镇",
            "郭勒布依乡",
            "博斯坦镇",
        ],
    ),
]


def seed(stdout=None) -> dict[str, District]:
    """Create or update the districts and townships (idempotent)."""
    districts = {}
    for order, (code, name, name_en, name_ug, (lat, lon), townships) in enumerate(DISTRICTS):
        district, _ = District.objects.update_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "name_ug": name_ug, "sort_order": order},
        )
        districts[code] = district
        for index, township in enumerate(townships):
            # Spread townships around the seat so that distances are plausible.
            offset = (index - len(townships) / 2) * 0.06
            Township.objects.update_or_create(
                district=district,
                name=township,
                defaults={
                    "latitude": round(lat + offset / 2, 5),
                    "longitude": round(lon + offset, 5),
                },
            )
    if stdout:
        stdout.write(
            f"  places: {District.objects.count()} districts, {Township.objects.count()} townships"
        )
    return districts
