"""A general lexicon of product types a Korean shop sells: a few hundred groups, each the words shoppers use for one
type (Korean spellings and colloquial forms, then English names), by department.

General shopping vocabulary (the category trees of large Korean marketplaces), not fitted to any catalog or
question set. `rag.carried` uses it to tell "the catalog does not carry this type" from "a word the catalog does
not happen to use": only a word this lexicon knows as a product type can be declared not carried, and a group
counts as carried when any of its words names a category or a product of the catalog. English names let an
English or mixed question find the Korean type; they are the project's only list of English product words
(`ENGLISH_NAMES`, also read by the query parser through `rag.query.vocabulary`).

One line per group: words separated by "|"; the first is the canonical Korean name the answer uses. A "# " line
starts a section ("가전 · 주방"); the nearest carried categories of a type the catalog lacks are looked for in its
section first, then in its department (the part before " · "), then anywhere.
"""

from __future__ import annotations

_GROUPS = """
# 가전 · 계절/생활
가습기|humidifier
제습기|dehumidifier
선풍기|electric fan|fan
서큘레이터|circulator
에어컨|에어콘|air conditioner|aircon
전기히터|히터|온풍기|heater|space heater
전기장판|전기요|온수매트|electric blanket|heated mattress pad
공기청정기|공청기|air purifier|purifier
청소기|vacuum cleaner|vacuum
무선청소기|코드리스청소기|cordless vacuum|stick vacuum
로봇청소기|robot vacuum
물걸레청소기|물걸레로봇|mop robot
스팀청소기|steam cleaner
세탁기|통돌이|드럼세탁기|washing machine|washer
건조기|의류건조기|dryer|clothes dryer
의류관리기|스타일러|clothing care
다리미|스팀다리미|iron|steam iron
재봉틀|미싱|sewing machine
정수기|water purifier
비데|bidet
안마의자|massage chair
안마기|마사지기|massager
체중계|인바디|bathroom scale|scale
전동칫솔|electric toothbrush
구강세정기|water flosser
면도기|전기면도기|shaver|razor
드라이기|헤어드라이어|드라이어|hair dryer|hairdryer
고데기|매직기|헤어스트레이트너|hair straightener|curling iron
이발기|바리깡|hair clipper
제모기|epilator
족욕기|foot spa
손난로|핫팩|hand warmer
보풀제거기|lint remover
가습필터|humidifier filter
음식물건조기|food dryer
손선풍기|휴대용선풍기|handheld fan
미니냉장고|mini fridge
# 가전 · 주방
멀티쿠커|전기쿠커|multi cooker|slow cooker
찜기|전기찜기|steamer
제빙기|ice maker
연수기|water softener
전기그릴팬|전기팬|electric pan
냉장고|refrigerator|fridge
김치냉장고|kimchi refrigerator
냉동고|freezer
전자레인지|microwave|microwave oven
오븐|광파오븐|oven
에어프라이어|에어프라이기|에프|air fryer|airfryer
전기밥솥|밥솥|압력밥솥|rice cooker
식기세척기|식세기|dishwasher
인덕션|하이라이트|전기레인지|induction cooktop|cooktop
가스레인지|gas stove
전기포트|커피포트|전기주전자|electric kettle|kettle
커피머신|에스프레소머신|캡슐커피머신|coffee machine|espresso machine
커피메이커|coffee maker
블렌더|믹서기|믹서|초고속블렌더|blender|mixer
착즙기|원액기|주서기|juicer
핸드블렌더|도깨비방망이|hand blender
토스터|토스터기|toaster
와플메이커|waffle maker
제빵기|bread maker
음식물처리기|food waste disposer
전기그릴|그릴|electric grill|grill
정수필터|water filter
# 디지털 · 컴퓨터
노트북|랩탑|laptop|notebook
데스크탑|컴퓨터|본체|desktop|pc
모니터|monitor
태블릿|아이패드|갤럭시탭|tablet|ipad
키보드|기계식키보드|keyboard
마우스|mouse
무선마우스|wireless mouse
마우스패드|mouse pad
웹캠|webcam
프린터|복합기|printer
외장하드|외장ssd|external drive|external ssd
usb메모리|usb|flash drive
공유기|router|wifi router
그래픽카드|graphics card|gpu
# 디지털 · 모바일/음향/영상
스마트폰|휴대폰|핸드폰|아이폰|갤럭시|smartphone|phone|iphone
휴대폰케이스|폰케이스|케이스|phone case
액정보호필름|보호필름|screen protector
충전기|고속충전기|charger
충전케이블|케이블|charging cable|cable
보조배터리|보조 배터리|배터리팩|power bank|portable charger|battery pack
스마트워치|애플워치|갤럭시워치|smartwatch|smart watch
스마트밴드|fitness tracker
이어폰|유선이어폰|earphones|earphone|earbuds
무선이어폰|블루투스이어폰|에어팟|버즈|wireless earbuds|wireless earphones
헤드폰|헤드셋|headphones|headset
스피커|블루투스스피커|speaker|bluetooth speaker
사운드바|soundbar
TV|티비|텔레비전|television
빔프로젝터|프로젝터|projector
카메라|디지털카메라|미러리스|dslr|camera
액션캠|고프로|action camera
블랙박스|dashcam|dash cam
게임기|닌텐도|플스|플레이스테이션|엑스박스|game console|nintendo switch|playstation
전자책|이북리더기|e-reader|kindle
마이크|microphone|mic
# 가구 · 인테리어
소파|쇼파|sofa|couch
침대|침대프레임|bed|bed frame
매트리스|mattress
토퍼|매트리스토퍼|topper|mattress topper
책상|데스크|desk
의자|chair
사무용의자|사무의자|office chair
게이밍의자|gaming chair
식탁|dining table
테이블|좌식테이블|table
책장|bookshelf|bookcase
수납장|서랍장|캐비닛|drawer|cabinet|dresser
옷장|wardrobe|closet
행거|옷걸이|clothes rack|hanger
신발장|shoe rack
화장대|vanity
거울|전신거울|mirror
커튼|암막커튼|블라인드|curtain|blinds
러그|카펫|rug|carpet
조명|스탠드|무드등|led등|lamp|desk lamp
시계|벽시계|탁상시계|clock|wall clock
액자|frame|picture frame
쿠션|방석|cushion
# 침구 · 생활
이불|차렵이불|comforter|duvet|blanket
베개|pillow
침구세트|bedding set|bedding
수건|타월|towel
우산|양산|umbrella
휴지|화장지|두루마리휴지|toilet paper|tissue
물티슈|wet wipes|wet tissue
세탁세제|세제|빨래세제|캡슐세제|laundry detergent|detergent
섬유유연제|fabric softener
주방세제|dish soap
청소용품|청소포|밀대|mop
쓰레기통|휴지통|trash can
방향제|디퓨저|air freshener|diffuser
제습제|desiccant
살충제|모기약|insect repellent
건전지|배터리|battery|batteries
멀티탭|power strip
빨래건조대|건조대|drying rack
빨래바구니|laundry basket
다리미판|ironing board
욕실화|bath slippers
샤워기|샤워헤드|shower head
변기커버|toilet seat cover
공구|드릴|전동드릴|공구세트|drill|tool set
# 주방용품
프라이팬|후라이팬|팬|frying pan|pan|skillet
냄비|pot|saucepan
웍|궁중팬|wok
도마|cutting board
칼|식칼|주방칼|knife|kitchen knife
식기|그릇|접시|dishes|plate|bowl
컵|머그컵|mug|cup
텀블러|보온병|보냉컵|tumbler|thermos
물병|보틀|water bottle|bottle
밀폐용기|보관용기|container|food container
도시락|도시락통|lunch box
수저|숟가락|젓가락|cutlery|spoon|chopsticks
주전자|teapot
# 패션 · 의류
패딩|롱패딩|숏패딩|다운점퍼|padding|down jacket|puffer
코트|트렌치코트|coat|trench coat
자켓|재킷|점퍼|jacket
바람막이|windbreaker
레인코트|우비|비옷|raincoat|rain coat|rain jacket
가디건|cardigan
니트|스웨터|knit|sweater
맨투맨|후드티|후드|sweatshirt|hoodie
티셔츠|반팔티|긴팔티|t-shirt|tee
셔츠|남방|shirt
블라우스|blouse
원피스|dress
치마|스커트|skirt
청바지|데님|jeans|denim
슬랙스|slacks
바지|팬츠|pants|trousers
레깅스|leggings
반바지|shorts
정장|수트|suit
잠옷|파자마|pajamas
속옷|팬티|브라|underwear|bra
양말|socks
수영복|래시가드|swimsuit|rash guard
등산복|hiking clothes
# 패션 · 잡화
가방|bag
백팩|배낭|backpack
크로스백|숄더백|토트백|핸드백|crossbody bag|shoulder bag|tote bag|handbag
캐리어|여행가방|suitcase|luggage
지갑|wallet
벨트|belt
모자|캡모자|비니|hat|cap|beanie
장갑|gloves
목도리|머플러|스카프|scarf|muffler
선글라스|sunglasses
안경|안경테|glasses|eyeglasses
손목시계|watch|wristwatch
시계줄|watch strap
귀걸이|목걸이|반지|팔찌|주얼리|earrings|necklace|ring|bracelet|jewelry
# 신발
신발|shoes
운동화|trainers|athletic shoes
러닝화|런닝화|조깅화|running shoes
스니커즈|sneakers|sneaker
등산화|트레킹화|hiking boots|hiking shoes
구두|dress shoes
로퍼|loafers
부츠|앵클부츠|boots
레인부츠|장화|rain boots
슬리퍼|실내화|slippers
샌들|sandals
축구화|soccer cleats
골프화|golf shoes
# 뷰티
선크림|썬크림|선블록|자외선차단제|sunscreen|sunblock
스킨|토너|toner
로션|에멀전|lotion
수분크림|보습크림|moisturizer|face cream
에센스|세럼|앰플|serum|essence
클렌징폼|폼클렌징|클렌저|cleanser|facial cleanser|cleansing foam
클렌징오일|cleansing oil
마스크팩|시트마스크|sheet mask|face mask
파운데이션|쿠션팩트|foundation|cushion compact
립스틱|틴트|립밤|lipstick|lip tint|lip balm
아이섀도|마스카라|아이라이너|eyeshadow|mascara|eyeliner
샴푸|shampoo
린스|컨디셔너|트리트먼트|conditioner|hair treatment
바디워시|샤워젤|body wash
바디로션|body lotion
핸드크림|hand cream
향수|perfume|fragrance
네일|매니큐어|nail polish
염색약|hair dye
# 식품
쌀|현미|rice
라면|ramen|instant noodles
과자|스낵|snack|chips
초콜릿|chocolate
견과류|견과|믹스넛|nuts|mixed nuts
닭가슴살|chicken breast
소고기|한우|beef
돼지고기|삼겹살|pork
생선|고등어|연어|fish|salmon
김치|kimchi
반찬|side dish
과일|사과|귤|딸기|fruit|apple
채소|야채|vegetables
원두커피|원두|coffee beans
커피|믹스커피|인스턴트커피|coffee
녹차|홍차|허브차|tea
생수|물|water|bottled water
음료수|탄산수|주스|soda|juice
우유|milk
두유|soy milk
요거트|yogurt
영양제|비타민|유산균|오메가3|supplement|vitamin|probiotics
단백질보충제|프로틴|protein powder|protein
꿀|honey
# 유아동
기저귀|diaper|diapers
아기물티슈|baby wipes
분유|formula|baby formula
젖병|baby bottle
유모차|stroller|pram
카시트|car seat
아기띠|힙시트|baby carrier
아기침대|crib
장난감|toy|toys
블록|레고|lego|building blocks
인형|doll|plush
아동복|kids clothes
# 반려동물
사료|강아지사료|고양이사료|pet food|dog food|cat food
간식|강아지간식|고양이간식|pet treats|treats
고양이모래|모래|cat litter|litter
배변패드|pee pad|puppy pad
자동급식기|급식기|automatic feeder|pet feeder|feeder
급수기|pet fountain
캣타워|cat tree|cat tower
스크래쳐|scratcher
하네스|목줄|리드줄|harness|leash|collar
이동장|켄넬|pet carrier|kennel
펫방석|강아지방석|pet bed
# 스포츠 · 아웃도어
텐트|tent
캠핑의자|캠핑체어|camping chair
캠핑테이블|camping table
침낭|sleeping bag
랜턴|lantern
버너|캠핑버너|camping stove
아이스박스|쿨러|cooler|ice box
타프|tarp
등산스틱|트레킹폴|hiking poles|trekking poles
요가매트|운동매트|yoga mat
덤벨|아령|dumbbell|dumbbells
런닝머신|러닝머신|트레드밀|treadmill
실내자전거|exercise bike
자전거|bicycle|bike
전동킥보드|킥보드|scooter|electric scooter
헬멧|helmet
골프채|골프클럽|드라이버|golf club|golf clubs
골프공|golf ball
축구공|농구공|ball|soccer ball|basketball
배드민턴라켓|테니스라켓|racket|tennis racket
수영모|수경|swim cap|goggles
스키|보드|ski|snowboard
낚싯대|fishing rod
# 자동차 · 기타
자동차|car
타이어|tire
차량용방향제|car air freshener
차량용거치대|car mount
세차용품|car wash
책|도서|book|books
문구|필기구|볼펜|stationery|pen
다이어리|노트|diary|notebook paper
꽃|꽃다발|flowers|bouquet
화분|식물|plant|flowerpot
"""


def _parse(text: str) -> tuple[tuple[tuple[str, ...], ...], dict[str, str]]:
    groups, section_of, section = [], {}, ""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#"):
            section = line.lstrip("# ").strip()
        elif line:
            group = tuple(w.strip() for w in line.split("|") if w.strip())
            groups.append(group)
            section_of[group[0]] = section
    return tuple(groups), section_of


PRODUCT_TYPE_GROUPS, SECTION_OF = _parse(_GROUPS)  # groups; canonical word → its section ("가전 · 주방")


def _english_names(groups: tuple[tuple[str, ...], ...]) -> dict[str, tuple[str, ...]]:
    """English (Latin-script) word, lower-case → the Korean words of its group, the canonical name first."""
    out: dict[str, tuple[str, ...]] = {}
    for group in groups:
        korean = tuple(w for w in group if not w.isascii())
        for word in group:
            if word.isascii() and korean:
                out.setdefault(" ".join(word.lower().split()), korean)
    return out


# the one home of English product words: 'air fryer' → (에어프라이어, 에어프라이기, 에프); the query parser reads them
# (rag.query.vocabulary), the not-carried logic judges them (rag.carried)
ENGLISH_NAMES: dict[str, tuple[str, ...]] = _english_names(PRODUCT_TYPE_GROUPS)
