"""Demo log-ins, one per role (names fixed by the foundation issue; other tools rely on them)."""

from django.conf import settings
from django.contrib.auth.models import Group

from places.models import District, Township

from . import roles
from .models import System, User

DEMO_PASSWORD = "TalentPool-2026"

# username, real name, roles, system, district code, township, languages, coordinator scope, job
DEMO_USERS = [
    (
        "trainee",
        "李娜",
        [roles.TRAINEE],
        System.CIVIL_AFFAIRS,
        "gaochang",
        "葡萄镇",
        ["zh"],
        None,
        "社会工作者",
    ),
    (
        "trainee2",
        "阿依古丽·买买提",
        [roles.TRAINEE],
        System.EDUCATION,
        "shanshan",
        "鲁克沁镇",
        ["zh", "ug"],
        None,
        "小学教师",
    ),
    (
        "lecturer",
        "王建华",
        [roles.LECTURER, roles.TRAINEE],
        System.EDUCATION,
        "gaochang",
        "老城路街道",
        ["zh", "ug"],
        None,
        "心理健康教师",
    ),
    (
        "supervisor",
        "陈静",
        [roles.SUPERVISOR],
        System.OTHER,
        "gaochang",
        None,
        ["zh"],
        None,
        "心理督导专家",
    ),
    (
        "supervisor2",
        "艾尔肯·吐尔逊",
        [roles.SUPERVISOR],
        System.OTHER,
        "toksun",
        None,
        ["zh", "ug"],
        None,
        "心理督导专家",
    ),
    (
        "coordinator",
        "张伟",
        [roles.COORDINATOR],
        System.CIVIL_AFFAIRS,
        None,
        None,
        ["zh"],
        None,
        "市民政局儿童福利科",
    ),
    (
        "coordinator_shanshan",
        "热依拉·阿不都",
        [roles.COORDINATOR],
        System.CIVIL_AFFAIRS,
        "shanshan",
        None,
        ["zh", "ug"],
        "shanshan",
        "鄯善县民政局",
    ),
    (
        "admin",
        "系统管理员",
        [roles.ADMINISTRATOR],
        System.CIVIL_AFFAIRS,
        None,
        None,
        ["zh"],
        None,
        "信息中心",
    ),
]


def seed(stdout=None) -> dict[str, User]:
    """Create or refresh the demo users (password reset to the demo password)."""
    groups = {code: Group.objects.get_or_create(name=code)[0] for code in roles.ALL_ROLES}
    districts = {d.code: d for d in District.objects.all()}
    users = {}
    for (
        username,
        real_name,
        role_codes,
        system,
        district,
        township,
        languages,
        scope,
        job,
    ) in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.real_name = real_name
        user.email = f"{username}@demo.talentpool.local"
        user.system = system
        user.district = districts.get(district)
        user.township = (
            Township.objects.filter(district=user.district, name=township).first()
            if township
            else None
        )
        user.languages = languages
        user.coordinator_district = districts.get(scope) if scope else None
        user.job_title = job
        user.employer_unit = (
            "吐鲁番市民政局" if system == System.CIVIL_AFFAIRS else "吐鲁番市教育局"
        )
        user.is_staff = roles.ADMINISTRATOR in role_codes
        user.is_superuser = username == "admin"
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([groups[code] for code in role_codes])
        _verify_email(user)
        users[username] = user
    if stdout:
        stdout.write(f"  accounts: {len(users)} demo log-ins")
    return users


def _verify_email(user) -> None:
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def describe_logins() -> str:
    lines = [f"Demo log-ins (password for all: {DEMO_PASSWORD}):"]
    for username, _real_name, role_codes, *_rest in DEMO_USERS:
        lines.append(f"  {username:<22} {', '.join(role_codes)}")
    lines.append(f"Site: {settings.SITE_URL}/   Admin: {settings.SITE_URL}/cms/")
    return "\n".join(lines)
