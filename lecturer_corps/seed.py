"""Demo venues: schools, communities, farms and townships in each district."""

from places.models import District, Township

from .models import Venue, VenueType

# (district code, township, name, type, capacity)
VENUES = [
    ("gaochang", "葡萄镇", "高昌区葡萄镇中心小学", VenueType.SCHOOL, 60),
    ("gaochang", "老城路街道", "高昌区第三中学", VenueType.SCHOOL, 80),
    ("gaochang", "老城路街道", "高昌区老城路街道幸福社区", VenueType.COMMUNITY, 40),
    ("gaochang", "亚尔镇", "高昌区亚尔镇上湖村社区", VenueType.COMMUNITY, 35),
    ("gaochang", "艾丁湖镇", "高昌区艾丁湖镇园艺场", VenueType.FARM, 30),
    ("gaochang", "二堡乡", "高昌区二堡乡人民政府", VenueType.TOWNSHIP, 50),
    ("shanshan", "鄯善镇", "鄯善县第一小学", VenueType.SCHOOL, 60),
    ("shanshan", "鲁克沁镇", "鄯善县鲁克沁镇中学", VenueType.SCHOOL, 70),
    ("shanshan", "鄯善镇", "鄯善县鄯善镇新城社区", VenueType.COMMUNITY, 40),
    ("shanshan", "七克台镇", "鄯善县七克台镇农场", VenueType.FARM, 25),
    ("shanshan", "吐峪沟乡", "鄯善县吐峪沟乡人民政府", VenueType.TOWNSHIP, 45),
    ("toksun", "托克逊镇", "托克逊县第二小学", VenueType.SCHOOL, 60),
    ("toksun", "托克逊镇", "托克逊县托克逊镇团结社区", VenueType.COMMUNITY, 40),
    ("toksun", "阿乐惠镇", "托克逊县阿乐惠镇农场", VenueType.FARM, 30),
    ("toksun", "夏镇", "托克逊县夏镇人民政府", VenueType.TOWNSHIP, 50),
    ("toksun", "伊拉湖镇", "托克逊县伊拉湖镇中心学校", VenueType.SCHOOL, 55),
]


def seed(stdout=None) -> None:
    districts = {d.code: d for d in District.objects.all()}
    for code, township_name, name, venue_type, capacity in VENUES:
        district = districts[code]
        township = Township.objects.get(district=district, name=township_name)
        Venue.objects.update_or_create(
            district=district,
            name=name,
            defaults={
                "venue_type": venue_type,
                "township": township,
                "latitude": township.latitude,
                "longitude": township.longitude,
                "capacity": capacity,
                "address": f"{district.name}{township.name}",
            },
        )
    if stdout:
        stdout.write(f"  lecturer_corps: {Venue.objects.count()} venues")
